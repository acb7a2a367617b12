import { expect, it } from 'vitest';
import * as wharf from 'wharf-mcp';
import * as stdio from 'wharf-mcp/stdio';

// The public runtime surface, pinned so that adding or removing an export is a deliberate change.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(wharf).sort()).toEqual([
    'BaseMcpServer',
    'ErrorCode',
    'LATEST_VERSION',
    'LOGGING_LEVELS',
    'McpError',
    'McpServer',
    'MemoryEventStore',
    'SUPPORTED_VERSIONS',
    'WharfError',
    'WharfErrorCode',
    'createInMemoryTransports',
  ]);
  expect(Object.keys(stdio).sort()).toEqual(['StdioTransport']);
});

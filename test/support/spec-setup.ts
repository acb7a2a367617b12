/**
 * Vitest global setup: decides once per run whether wire messages are checked against the MCP
 * spec's `schema.json` files. `WHARF_SPEC_DIR` names the folder holding `<version>/schema.json`;
 * unset (a fresh clone), the checks are skipped and this prints one line saying so; set but
 * incomplete, the run fails here, before any test starts, instead of timing out in one.
 */
import { SPEC_DIR, specFile, WIRE_VERSIONS } from './wire-validator.js';

export default function setup(): void {
  if (SPEC_DIR === undefined) {
    console.log(
      'Wire checks skipped: set WHARF_SPEC_DIR to a folder with <version>/schema.json of the MCP spec to validate every message the server sends.',
    );
    return;
  }
  for (const version of WIRE_VERSIONS) specFile(version);
  console.log(`Wire checks on: MCP schemas from ${SPEC_DIR}`);
}

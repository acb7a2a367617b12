const urls: [string, string][] = [
  ['/items', 'GET the list as JSON; POST {"name", "quantity"?} to add an item'],
  ['/mcp', 'MCP over Streamable HTTP'],
  ['/mcp/sse', 'MCP over legacy HTTP+SSE (2024-11-05)'],
  ['/mcp/health', 'health check'],
];

export default function Home() {
  return (
    <main>
      <h1>Shopping list</h1>
      <p>One list, served over REST and MCP by Wharf inside Next.js route handlers.</p>
      <ul>
        {urls.map(([url, what]) => (
          <li key={url}>
            <code>{url}</code>: {what}
          </li>
        ))}
      </ul>
    </main>
  );
}

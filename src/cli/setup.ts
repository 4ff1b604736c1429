export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('1mcp: "setup" is not built yet\n');
  return 1;
}

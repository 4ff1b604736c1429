export async function listServerTools(_n: string, _o: Record<string, any>): Promise<number> { return 1; }

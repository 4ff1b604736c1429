export async function status(_a: string[], _o: Record<string, any>): Promise<number> { return 1; }
export async function restart(_a: string[], _o: Record<string, any>): Promise<number> { return 1; }

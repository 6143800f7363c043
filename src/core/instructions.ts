import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/** Read-only access to INSTRUCTION.md and instructions/<name>.md; names are validated, never paths. */
export class InstructionLibrary {
  constructor(
    private readonly mainFile: string,
    private readonly dir: string,
  ) {}

  async main(): Promise<string> {
    return readFile(this.mainFile, 'utf8');
  }

  async list(): Promise<string[]> {
    try {
      const files = await readdir(this.dir);
      return files
        .filter((f) => f.endsWith('.md'))
        .map((f) => f.slice(0, -3))
        .filter((n) => NAME.test(n))
        .sort();
    } catch {
      return [];
    }
  }

  /** Returns null when the name is invalid or no such instruction exists. */
  async get(name: string): Promise<string | null> {
    if (!NAME.test(name)) return null;
    try {
      return await readFile(path.join(this.dir, `${name}.md`), 'utf8');
    } catch {
      return null;
    }
  }
}

/** The machine a bench ran on: core count, CPU model (/proc/cpuinfo), memory (/proc/meminfo), Node, OS. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  os: string;
  date: string;
}

async function procField(file: string, key: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith(key));
  return line ? line.slice(line.indexOf(':') + 1).trim() : null;
}

export async function describeMachine(): Promise<MachineInfo> {
  const model = (await procField('/proc/cpuinfo', 'model name')) ?? os.cpus()[0]?.model ?? 'unknown';
  const memKb = Number.parseInt((await procField('/proc/meminfo', 'MemTotal')) ?? '', 10);
  return {
    cores: os.availableParallelism(),
    cpuModel: model,
    memGiB: Number.isFinite(memKb) ? memKb / 1024 / 1024 : os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cores} cores (nproc), ${m.cpuModel}, ${m.memGiB.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}`;
}

/** The 1-minute load average (os.loadavg), to show whether other work shared the machine. */
export function loadAverage1m(): number {
  return os.loadavg()[0] ?? Number.NaN;
}

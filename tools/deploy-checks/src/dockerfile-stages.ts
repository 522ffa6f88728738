/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-cased keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** The rest of the instruction. */
  readonly args: string;
}

/** One build stage: `FROM <image> AS <name>` and the instructions up to the next FROM. */
export interface DockerStage {
  readonly name: string;
  /** The image as written (ARGs not substituted). */
  readonly from: string;
  readonly instructions: readonly DockerInstruction[];
}

/** What {@link parseDockerfile} finds: the ARGs before the first FROM and the stages. */
export interface ParsedDockerfile {
  /** Global ARGs with their defaults (`ARG NAME=default`). */
  readonly globalArgs: Readonly<Record<string, string>>;
  readonly stages: readonly DockerStage[];
}

/** Splits a Dockerfile into global ARGs and stages (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: { name: string; from: string; instructions: DockerInstruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: match?.[1] ?? args, name: match?.[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
      if (upper === 'ARG' && arg?.[1] !== undefined) globalArgs[arg[1]] = arg[2] ?? '';
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return { globalArgs, stages };
}

export interface DtcIo {
  stdout: (s: string | Uint8Array) => void;
  stderr: (s: string) => void;
}

export async function runDtc(argv: string[], io: DtcIo): Promise<number> {
  void argv;
  io.stderr('dtc: not implemented yet\n');
  return 1;
}

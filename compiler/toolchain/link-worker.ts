/**
 * Runs in a child process: links LLVM modules with llvm-bindings and writes the result as bitcode.
 *
 * llvm-bindings ends the whole process on some bad inputs (a symbol defined twice makes LLVM print
 * "symbol multiply defined!" and exit; a NULL module segfaults), which no try/catch can stop, so the
 * compiler keeps these calls out of its own process and turns the child's death into a diagnostic.
 *
 * argv: <output.bc> <input.ll|.bc>...; exit 0 on success, 3 on a link error, 4 when verification fails.
 */
import llvm from 'llvm-bindings';

function load(context: llvm.LLVMContext, path: string): llvm.Module {
  return llvm.parseIRFile(path, new llvm.SMDiagnostic(), context);
}

const [output, first, ...rest] = process.argv.slice(2);
if (!output || !first) {
  process.stderr.write('usage: link-worker OUTPUT.bc INPUT...\n');
  process.exit(2);
}
const context = new llvm.LLVMContext();
const linked = load(context, first);
for (const path of rest) {
  if (llvm.Linker.linkModules(linked, load(context, path))) {
    process.stderr.write(`linking ${path} failed\n`);
    process.exit(3);
  }
}
if (llvm.verifyModule(linked)) {
  process.stderr.write('the linked module is broken\n');
  process.exit(4);
}
llvm.WriteBitcodeToFile(linked, output);

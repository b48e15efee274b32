// node:test reporter for the mutation run: the first failing test ends the process with
// exit code 1 (a killed mutant), so only surviving mutants pay for the whole suite.
// eslint-disable-next-line require-yield -- node:test takes reporters as async generators; this one prints nothing
export default async function* bailReporter(source) {
  for await (const event of source) {
    if (event.type === 'test:fail' && !event.data.todo && !event.data.skip) {
      process.exit(1);
    }
  }
}

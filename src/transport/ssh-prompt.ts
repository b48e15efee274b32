import { closeSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { StringDecoder } from 'node:string_decoder';
import type { Prompter } from './ssh-auth';

/**
 * Asks on the controlling terminal (/dev/tty), as OpenSSH does, so it works with stdout piped.
 * Without a controlling terminal (cron, CI, a detached process) nothing is ever asked.
 */
export class TerminalPrompter implements Prompter {
  private usable: boolean | undefined;

  available(): boolean {
    if (this.usable === undefined) {
      try {
        closeSync(openSync('/dev/tty', 'r+'));
        this.usable = true;
      } catch {
        this.usable = false;
      }
    }
    return this.usable;
  }

  ask(question: string, options: { echo: boolean }): Promise<string | null> {
    if (!this.available()) return Promise.resolve(null);
    let input: ReadStream;
    let output: WriteStream;
    try {
      input = new ReadStream(openSync('/dev/tty', 'r'));
      output = new WriteStream(openSync('/dev/tty', 'w'));
    } catch {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      let answer = '';
      const finish = (value: string | null) => {
        input.setRawMode(false);
        input.removeListener('data', onData);
        output.end('\n');
        input.destroy();
        resolve(value);
      };
      // A character typed or pasted may come in two reads: decoded across them.
      const decoder = new StringDecoder('utf8');
      const onData = (chunk: Buffer) => {
        for (const char of decoder.write(chunk)) {
          if (char === '\r' || char === '\n') return finish(answer);
          if (char === '\u0003' || char === '\u0004') return finish(null); // Ctrl-C, Ctrl-D
          if (char === '\u007f' || char === '\b') {
            if (answer.length && options.echo) output.write('\b \b');
            answer = answer.slice(0, -1);
            continue;
          }
          answer += char;
          if (options.echo) output.write(char);
        }
      };
      input.setRawMode(true);
      input.on('data', onData);
      output.write(question);
    });
  }
}

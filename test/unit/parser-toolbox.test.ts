import assert from 'node:assert/strict';
import test from 'node:test';
import { parseToolboxStat } from '../../src/core/parsers/toolbox';
import { TOOLBOX } from '../helpers/samples';
import { parserProbes } from '../helpers/parsed';

const { value, reason } = parserProbes(parseToolboxStat);
const mib = (text: string) => value(text).mib;

test('"%u MB" answers: balloon, limit, zero', () => {
  assert.equal(mib(TOOLBOX.balloon20g), 20480);
  assert.equal(mib(TOOLBOX.limit12g), 12288);
  assert.equal(mib(TOOLBOX.zero), 0);
});

test('memlimit 4294967295 MB (uint32 -1) means no limit: null, not 4 PiB', () => {
  assert.equal(mib(TOOLBOX.unlimited), null);
  assert.equal(mib('-1 MB\n'), null);
});

test('a value just below uint32 -1 is a real number (ohai mocks 4000000000 MB)', () => {
  assert.equal(mib('4294967294 MB\n'), 4294967294);
  assert.equal(mib('4000000000 MB\n'), 4000000000);
});

test('open-vm-tools 2008–2010 printed the balloon as "N MHz": accepted as MiB', () => {
  assert.equal(mib(TOOLBOX.oldMHz), 20480);
});

test('CRLF and surrounding blank lines are tolerated', () => {
  assert.equal(mib('20480 MB\r\n'), 20480);
  assert.equal(mib('\n20480 MB\n\n'), 20480);
});

test('error texts become reasons that quote the tool', () => {
  assert.match(reason(TOOLBOX.notAvailable), /This value is not available on this host/);
  assert.match(reason(TOOLBOX.guestApiDisabled), /Guest API is not enabled/);
  assert.match(reason(TOOLBOX.notVirtual), /must be run inside a virtual machine/);
  assert.match(reason(TOOLBOX.unknownSubcommand), /Unknown subcommand/);
  assert.match(reason(TOOLBOX.openHandle), /OpenHandle failed/);
});

test('hostile answers: empty, garbage, units, signs, digits, binary, size', () => {
  assert.match(reason(''), /empty/);
  assert.match(reason(' \n '), /empty/);
  assert.match(reason('20480\n'), /not "N MB"/);
  assert.match(reason('20480 GB\n'), /not "N MB"/);
  assert.match(reason('20.5 MB\n'), /not "N MB"/);
  assert.match(reason('-5 MB\n'), /out of range|not "N MB"/);
  assert.match(reason(`${'9'.repeat(30)} MB\n`), /out of range/);
  assert.match(reason('20480 MB\n12288 MB\n'), /one "N MB" line/);
  assert.match(reason('20480 MB\u0000'), /binary/);
  // bytes that are not UTF-8 are binary data (the probe turns NULs into line ends on every awk, so this is what is left)
  assert.match(reason('2048\uFFFD MB\n'), /binary/);
  assert.match(reason(`${'20480 MB '.repeat(200_000)}`), /characters long/);
  // cut mid-line
  assert.match(reason('20480 M'), /not "N MB"/);
});

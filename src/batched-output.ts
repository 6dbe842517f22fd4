/** Output held back this many characters at most before it is written. */
const OUTPUT_BATCH = 64 * 1024;

/**
 * Output written in batches: what is written while input that has already arrived is still being
 * answered goes out in one write when that input runs out (or past `OUTPUT_BATCH` characters),
 * instead of one write (one system call to a pipe) a line. A question typed by hand is answered
 * as soon as it is read, since the input then runs out at once.
 */
export function batchedOutput(write: (text: string) => void) {
  let held: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!held.length) return;
    const text = held.join('');
    held = [];
    size = 0;
    write(text);
  };
  return {
    write(text: string) {
      held.push(text);
      size += text.length;
      if (size >= OUTPUT_BATCH) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

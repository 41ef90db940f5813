/** A cell shown in a message: short, and never throwing whatever the value. */
export function showCell(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = typeof value;
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

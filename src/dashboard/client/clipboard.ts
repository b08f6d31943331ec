/** Copies `text` and flashes the button's label so the action is visible and announced. */
export async function copyWithFeedback(button: HTMLButtonElement, text: string): Promise<void> {
  const label = button.dataset["label"] ?? button.textContent;
  button.dataset["label"] = label;
  let copied = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    copied = false;
  }
  button.textContent = copied ? "Copied" : "Copy failed — select and copy manually";
  window.setTimeout(() => {
    button.textContent = label;
  }, 1800);
}

/**
 * The encoder's tokenizer with Hugging Face truncation semantics: the content is cut so that
 * content + special tokens fit `maxLength`, exactly as `tokenizer(text, truncation=True)` does
 * for a `prefix $A suffix` template such as BERT's `[CLS] $A [SEP]`.
 */
import { Tokenizer } from "@huggingface/tokenizers";

export class TextTokenizer {
  readonly #tokenizer: Tokenizer;
  readonly #prefix: number[];
  readonly #suffix: number[];

  constructor(
    tokenizerJson: unknown,
    readonly maxLength: number,
  ) {
    this.#tokenizer = new Tokenizer(tokenizerJson as object, {});
    const probe = "a";
    const content = this.#tokenizer.encode(probe, { add_special_tokens: false }).ids;
    const full = this.#tokenizer.encode(probe, { add_special_tokens: true }).ids;
    const at = indexOfSequence(full, content);
    if (content.length === 0 || at < 0) throw new Error("tokenizer post-processor is not a `prefix $A suffix` template");
    this.#prefix = full.slice(0, at);
    this.#suffix = full.slice(at + content.length);
    if (this.#prefix.length + this.#suffix.length >= maxLength) throw new Error(`max_length ${maxLength} leaves no room for text`);
  }

  encode(text: string): number[] {
    const content = this.#tokenizer.encode(text, { add_special_tokens: false }).ids;
    const room = this.maxLength - this.#prefix.length - this.#suffix.length;
    return [...this.#prefix, ...content.slice(0, room), ...this.#suffix];
  }
}

function indexOfSequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    for (let k = 0; k < needle.length; k += 1) if (haystack[start + k] !== needle[k]) continue outer;
    return start;
  }
  return -1;
}

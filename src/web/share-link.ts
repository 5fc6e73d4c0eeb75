/**
 * The page's settings kept in its URL (src/web/url-state.ts says how), and the "copy link"
 * button. On load the link's settings are written into the fields before the model loads and
 * before any run; afterwards every change to a field rewrites the URL in place
 * (history.replaceState, so Back still leaves the page). Ignored parameters, and a clipboard
 * the browser refuses, are said in a notice beside the button, never thrown.
 */
import { DEFAULT_OPTIONS } from "../decoding/options.ts";
import { readOptions, writeOptions } from "./controls.ts";
import { byId, element, setText } from "./dom.ts";
import { decodeSharedState, encodeSharedState, type SharedDefaults, type SharedState } from "./url-state.ts";
import type { BackendChoice } from "../../workers/api.ts";
import type { Dtype } from "../model/model-source.ts";

const OTHER = "other";

export class ShareLink {
  private readonly form = byId("controls", HTMLFormElement);
  private readonly prompt = byId("prompt", HTMLTextAreaElement);
  private readonly modelChoice = byId("model-choice", HTMLSelectElement);
  private readonly modelUrl = byId("model-url", HTMLInputElement);
  private readonly modelDtype = byId("model-dtype", HTMLSelectElement);
  private readonly backend = byId("backend-choice", HTMLSelectElement);
  private readonly button = byId("copy-link", HTMLButtonElement);
  /** Ignored parameters, "copied", or the link to copy by hand. */
  private readonly notice = element("div", "notice share-notice");
  private defaults: SharedDefaults | null = null;
  private pending = false;

  constructor() {
    this.notice.id = "share-notice";
    this.notice.setAttribute("role", "status");
    (this.button.parentElement ?? this.button).after(this.notice);
    this.button.hidden = false;
    this.button.addEventListener("click", () => void this.copy());
  }

  /**
   * Takes what the fields show now as the defaults a link leaves out, then writes the URL's
   * settings into the fields. Call once, after the page has filled its fields and before the
   * model loads.
   */
  restore(): void {
    this.defaults = { prompt: this.prompt.value, model: this.modelChoice.value, options: DEFAULT_OPTIONS };
    const { state, notices } = decodeSharedState(location.search, { modelValues: [...this.modelChoice.options].map((option) => option.value) });
    if (state.prompt !== undefined) this.prompt.value = state.prompt;
    if (state.model !== undefined) {
      this.modelChoice.value = state.model;
      // The model panel shows the URL and dtype fields for "other" on this event.
      this.modelChoice.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (state.url !== undefined) this.modelUrl.value = state.url;
    if (state.dtype !== undefined) this.modelDtype.value = state.dtype;
    if (state.backend !== undefined) this.backend.value = state.backend;
    if (Object.keys(state.options).length > 0) writeOptions(this.form, { ...DEFAULT_OPTIONS, ...state.options });
    this.showNotice(notices.join("\n"));
    this.sync();
    // After the page's own handlers (a preset button, the examples list) have changed the fields.
    for (const type of ["input", "change", "click"]) document.addEventListener(type, () => this.schedule());
  }

  /** What the fields say now, in the link's terms. */
  current(): SharedState {
    const model = this.modelChoice.value;
    return {
      prompt: this.prompt.value,
      model,
      ...(model === OTHER ? { url: this.modelUrl.value.trim(), dtype: this.modelDtype.value as Dtype | "" } : {}),
      backend: this.backend.value as BackendChoice,
      options: readOptions(this.form),
    };
  }

  /** The page's URL with the current settings. */
  link(): string {
    this.sync();
    return location.href;
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.sync();
    });
  }

  private sync(): void {
    if (!this.defaults) return;
    const query = encodeSharedState(this.current(), this.defaults, location.search);
    if (query === location.search) return;
    history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`);
  }

  private async copy(): Promise<void> {
    const url = this.link();
    try {
      if (!navigator.clipboard) throw new Error("this page has no clipboard access (it needs https or localhost)");
      await navigator.clipboard.writeText(url);
      this.showNotice("Link copied: it opens this page with the same prompt, model and settings (same seed, same tokens).");
      this.button.dataset.copied = "clipboard";
    } catch (error) {
      // Denied, or no clipboard: the link in a selected field, for Ctrl/Cmd+C.
      const field = element("input");
      field.id = "share-url";
      field.readOnly = true;
      field.value = url;
      field.size = 40;
      field.setAttribute("aria-label", "link to this run");
      const text = `The clipboard is not available (${(error as Error).message}): copy the link below.`;
      this.notice.replaceChildren(element("span", "", text), field);
      this.button.dataset.copied = "fallback";
      field.focus();
      field.select();
    }
  }

  private showNotice(text: string): void {
    setText(this.notice, text);
  }
}

// Encode texts (or decode id lists) with the replica tokenizer through @huggingface/tokenizers,
// the runtime's tokenizer.
// usage: node tokenize.mjs <folder with tokenizer.json> <in.json> <out.json> [decode]
//   encode: in = array of strings -> out = array of id arrays (no special tokens added)
//   decode: in = array of id arrays -> out = array of strings (special tokens skipped)
import { readFileSync, writeFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [folder, input, output, mode] = process.argv.slice(2);
const read = (name) => JSON.parse(readFileSync(`${folder}/${name}`, "utf8"));
const tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
const items = JSON.parse(readFileSync(input, "utf8"));
const result =
  mode === "decode"
    ? items.map((ids) => tokenizer.decode(ids, { skip_special_tokens: true }))
    : items.map((text) => tokenizer.encode(text, { add_special_tokens: false }).ids);
writeFileSync(output, JSON.stringify(result));

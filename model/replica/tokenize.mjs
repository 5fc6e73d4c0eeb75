// Encode texts with the replica tokenizer through @huggingface/tokenizers (the runtime's tokenizer).
// usage: node tokenize.mjs <folder with tokenizer.json> <in.json: array of strings> <out.json>
import { readFileSync, writeFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [folder, input, output] = process.argv.slice(2);
const read = (name) => JSON.parse(readFileSync(`${folder}/${name}`, "utf8"));
const tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
const texts = JSON.parse(readFileSync(input, "utf8"));
const ids = texts.map((text) => tokenizer.encode(text, { add_special_tokens: false }).ids);
writeFileSync(output, JSON.stringify(ids));

/**
 * Word lists of the v2 word problems (word-problems.ts): given names from many languages, items,
 * containers and verbs. Written here (no licensed list needed); most names are several tokens
 * of the shipped vocabulary, as people's names are. Data only: the grammar is in word-problems.ts.
 */

export type Pronoun = "she" | "he";

/** Given names with the pronoun the problems use for them. */
export const GIVEN_NAMES: readonly (readonly [string, Pronoun])[] = [
  // English
  ["Mia", "she"], ["Leo", "he"], ["Ava", "she"], ["Noah", "he"], ["Zoe", "she"], ["Sam", "he"], ["Lily", "she"], ["Ben", "he"],
  ["Emma", "she"], ["Jack", "he"], ["Grace", "she"], ["Oliver", "he"], ["Chloe", "she"], ["Henry", "he"], ["Hannah", "she"], ["Ethan", "he"],
  ["Madison", "she"], ["Caleb", "he"], ["Abigail", "she"], ["Wyatt", "he"], ["Harper", "she"], ["Logan", "he"], ["Evelyn", "she"], ["Owen", "he"],
  // Spanish and Portuguese
  ["Mateo", "he"], ["Lucia", "she"], ["Santiago", "he"], ["Valentina", "she"], ["Diego", "he"], ["Camila", "she"], ["Alejandro", "he"], ["Ximena", "she"],
  ["Joaquin", "he"], ["Guadalupe", "she"], ["Rodrigo", "he"], ["Beatriz", "she"], ["Thiago", "he"], ["Fernanda", "she"], ["Gonzalo", "he"], ["Marisol", "she"],
  // French, Italian, German, Dutch
  ["Camille", "she"], ["Mathieu", "he"], ["Amelie", "she"], ["Baptiste", "he"], ["Giulia", "she"], ["Lorenzo", "he"], ["Francesca", "she"], ["Matteo", "he"],
  ["Annika", "she"], ["Lukas", "he"], ["Friederike", "she"], ["Maximilian", "he"], ["Sanne", "she"], ["Joris", "he"], ["Femke", "she"], ["Pieter", "he"],
  // Nordic, Slavic, Greek, Hungarian
  ["Astrid", "she"], ["Bjorn", "he"], ["Ingrid", "she"], ["Sindre", "he"], ["Katarzyna", "she"], ["Wojciech", "he"], ["Natasha", "she"], ["Dmitri", "he"],
  ["Svetlana", "she"], ["Bogdan", "he"], ["Milena", "she"], ["Yaroslav", "he"], ["Eleni", "she"], ["Nikos", "he"], ["Zsofia", "she"], ["Laszlo", "he"],
  // Arabic, Persian, Turkish, Hebrew
  ["Fatima", "she"], ["Omar", "he"], ["Aisha", "she"], ["Youssef", "he"], ["Layla", "she"], ["Karim", "he"], ["Mariam", "she"], ["Tariq", "he"],
  ["Shirin", "she"], ["Dariush", "he"], ["Parisa", "she"], ["Kourosh", "he"], ["Elif", "she"], ["Mehmet", "he"], ["Zeynep", "she"], ["Emre", "he"],
  ["Noa", "she"], ["Yosef", "he"], ["Tamar", "she"], ["Avraham", "he"],
  // South Asian
  ["Priya", "she"], ["Amir", "he"], ["Ananya", "she"], ["Arjun", "he"], ["Lakshmi", "she"], ["Rohan", "he"], ["Deepika", "she"], ["Vikram", "he"],
  ["Meenakshi", "she"], ["Siddharth", "he"], ["Farzana", "she"], ["Imran", "he"], ["Nirmala", "she"], ["Harpreet", "he"], ["Kavya", "she"], ["Ravindra", "he"],
  // East and Southeast Asian
  ["Mei", "she"], ["Wei", "he"], ["Xiaoling", "she"], ["Zhang Wei", "he"], ["Yuki", "she"], ["Hiroshi", "he"], ["Sakura", "she"], ["Kenji", "he"],
  ["Haruka", "she"], ["Takumi", "he"], ["Jiwoo", "she"], ["Minjun", "he"], ["Seoyeon", "she"], ["Dongho", "he"], ["Linh", "she"], ["Minh", "he"],
  ["Thuy", "she"], ["Quang", "he"], ["Siriporn", "she"], ["Somchai", "he"], ["Ayu", "she"], ["Budi", "he"], ["Maricel", "she"], ["Jomar", "he"],
  // African
  ["Amara", "she"], ["Chidi", "he"], ["Ngozi", "she"], ["Oluwaseun", "he"], ["Adaeze", "she"], ["Kwame", "he"], ["Abena", "she"], ["Kofi", "he"],
  ["Zanele", "she"], ["Sipho", "he"], ["Thandiwe", "she"], ["Themba", "he"], ["Wanjiru", "she"], ["Kipchoge", "he"], ["Nia", "she"], ["Tendai", "he"],
  ["Fatoumata", "she"], ["Mamadou", "he"], ["Aminata", "she"], ["Ousmane", "he"], ["Yetunde", "she"], ["Babajide", "he"], ["Makeda", "she"], ["Tesfaye", "he"],
  // Indigenous, Pacific, Celtic
  ["Aiyana", "she"], ["Takoda", "he"], ["Leilani", "she"], ["Keoni", "he"], ["Aroha", "she"], ["Tane", "he"], ["Siobhan", "she"], ["Padraig", "he"],
  ["Niamh", "she"], ["Cormac", "he"], ["Eilidh", "she"], ["Ruaridh", "he"], ["Carys", "she"], ["Rhys", "he"],
];

/** Countable things people have, buy and share (plural; singular() gives the singular). */
export const ITEMS: readonly string[] = [
  "apples", "marbles", "stickers", "books", "coins", "pencils", "cookies", "cards", "shells", "stamps", "balloons", "eggs",
  "cups", "toys", "plums", "beads", "candles", "flowers", "rocks", "buttons", "lemons", "crayons", "tickets", "oranges",
  "bananas", "cupcakes", "muffins", "pens", "erasers", "notebooks", "comics", "postcards", "photos", "puzzles", "blocks", "bricks",
  "tomatoes", "potatoes", "carrots", "peppers", "onions", "peaches", "pears", "cherries", "grapes", "strawberries", "walnuts", "peanuts",
  "candies", "lollipops", "donuts", "pies", "sandwiches", "bagels", "pretzels", "crackers", "seeds", "plants", "roses", "tulips",
  "daisies", "feathers", "pebbles", "acorns", "leaves", "pinecones", "ribbons", "bows", "socks", "shirts", "hats", "gloves",
  "scarves", "bottles", "jars", "plates", "bowls", "spoons", "forks", "napkins", "towels", "pillows", "chairs", "lamps",
  "batteries", "screws", "nails", "bolts", "magnets", "keys", "rings", "bracelets", "necklaces", "badges", "pins", "flags",
  "kites", "balls", "dolls", "robots", "trucks", "cars", "trains", "boats", "planes", "drums", "whistles", "bells",
  "envelopes", "letters", "folders", "binders", "markers", "brushes", "paints", "canvases", "chalks", "rulers", "stars", "hearts",
];

/** Things that hold a fixed number of items each. */
export const CONTAINERS: readonly (readonly [string, string])[] = [
  ["box", "boxes"], ["bag", "bags"], ["pack", "packs"], ["jar", "jars"], ["crate", "crates"], ["basket", "baskets"], ["tray", "trays"],
  ["carton", "cartons"], ["bucket", "buckets"], ["tin", "tins"], ["sack", "sacks"], ["bundle", "bundles"], ["case", "cases"], ["bin", "bins"],
];

/** Who a quantity is shared among (plural, singular). */
export const RECIPIENTS: readonly (readonly [string, string])[] = [
  ["friends", "friend"], ["children", "child"], ["students", "student"], ["classmates", "classmate"], ["cousins", "cousin"],
  ["neighbors", "neighbor"], ["teams", "team"], ["tables", "table"], ["groups", "group"], ["players", "player"], ["guests", "guest"],
];

/** Getting more of something: present and past, with a trailing "more" where it reads well. */
export const GAIN_VERBS: readonly (readonly [string, string])[] = [
  ["buys", "bought"], ["finds", "found"], ["picks up", "picked up"], ["wins", "won"], ["gets", "got"], ["collects", "collected"],
  ["receives", "received"], ["adds", "added"], ["brings home", "brought home"], ["orders", "ordered"], ["gathers", "gathered"],
  ["earns", "earned"], ["trades for", "traded for"], ["is given", "was given"], ["makes", "made"],
];

/** Losing some of something: present and past. */
export const LOSS_VERBS: readonly (readonly [string, string])[] = [
  ["loses", "lost"], ["sells", "sold"], ["uses", "used"], ["drops", "dropped"], ["donates", "donated"], ["throws away", "threw away"],
  ["gives away", "gave away"], ["breaks", "broke"], ["trades away", "traded away"], ["packs away", "packed away"], ["mails", "mailed"],
];

/** Giving to someone: present and past (followed by "<n> to <name>"). */
export const GIVE_VERBS: readonly (readonly [string, string])[] = [
  ["gives", "gave"], ["lends", "lent"], ["sends", "sent"], ["hands", "handed"], ["passes", "passed"], ["sells", "sold"],
];

/** Things money is spent on (singular, with its article). */
export const PURCHASES: readonly string[] = [
  "a bike", "a book", "a jacket", "a lamp", "a game", "a ticket", "a gift", "a backpack", "a plant", "a radio", "a pair of shoes", "a watch",
  "groceries", "lunch", "a haircut", "a train pass", "paint", "a guitar", "a tent", "a blanket",
];

/** Things a length, volume or time belongs to, by kind. */
export const LENGTH_THINGS: readonly string[] = ["rope", "ribbon", "fence", "wire", "cloth", "string", "path", "hose", "cable", "track"];
export const VOLUME_THINGS: readonly string[] = ["tank", "barrel", "pool", "pot", "jug", "bathtub", "cooler", "tub", "vat", "pond"];
/** Units of length and volume (plural). */
export const LENGTH_UNITS: readonly string[] = ["meters", "feet", "centimeters", "yards", "inches"];
export const VOLUME_UNITS: readonly string[] = ["liters", "gallons", "milliliters", "cups"];
/** Activities timed in minutes: present, past, and the -ing form. */
export const TIME_ACTIVITIES: readonly (readonly [string, string, string])[] = [
  ["reads", "read", "reading"], ["practices piano", "practiced piano", "practicing piano"], ["runs", "ran", "running"], ["swims", "swam", "swimming"],
  ["paints", "painted", "painting"], ["studies", "studied", "studying"], ["plays chess", "played chess", "playing chess"], ["gardens", "gardened", "gardening"],
  ["writes", "wrote", "writing"], ["cycles", "cycled", "cycling"], ["knits", "knitted", "knitting"], ["sings", "sang", "singing"],
];
export const DAYS: readonly string[] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Plurals the rules of singular() get wrong. */
const IRREGULAR_SINGULARS: Readonly<Record<string, string>> = {
  feet: "foot", leaves: "leaf", scarves: "scarf", cookies: "cookie", pies: "pie", canvases: "canvas",
};

/** The singular of one of this file's plural nouns (items and units), for "1 apple", "1 liter". */
export function singular(plural: string): string {
  const irregular = IRREGULAR_SINGULARS[plural];
  if (irregular !== undefined) return irregular;
  if (plural.endsWith("ies")) return `${plural.slice(0, -3)}y`;
  if (/(?:ch|sh|x|ss|o)es$/.test(plural)) return plural.slice(0, -2);
  return plural.endsWith("s") ? plural.slice(0, -1) : plural;
}

/** Sentences that carry a number the problem does not use ({n}: the number, 2 or more so the plurals read right; {O}: another name). */
export const DISTRACTORS: readonly string[] = [
  "{O} has {n} {X}.", "{O} is {n} years old.", "The shop is {n} meters away.", "It is {n} degrees outside.", "The bus number is {n}.",
  "{O} lives {n} blocks away.", "The game lasts {n} minutes.", "There are {n} people in the park.", "{O} counted {n} birds on the way.",
  "The school has {n} rooms.", "{O} owns {n} {X}.", "The book has {n} pages.",
];

/** Number words for small multipliers and divisors, as people write them. */
export const NUMBER_WORDS: readonly string[] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

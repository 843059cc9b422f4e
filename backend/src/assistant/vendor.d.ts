// Type declarations for the two small NLP packages the assistant's text pipeline uses (neither ships
// its own). Only the parts we call are declared.
declare module 'snowball-stemmers' {
  interface SnowballStemmer { stem(word: string): string }
  const snowball: { newStemmer(algorithm: string): SnowballStemmer; algorithms(): string[] };
  export default snowball;
}

declare module 'stopword' {
  /** The Danish stop word list (stopwords-iso's, lowercase). */
  export const dan: string[];
}

// Package classifier flags 双减 advertising violations in Chinese text.
//
// A Classifier is compiled once from a lexicon (New) and then classifies
// documents concurrently (Classify). Each document goes one way through
// eight stages, each a function from the values of the stages before it to
// a value of its own (see classify.go):
//
//  1. normalisation (normalizeText → normText): full-width → half-width,
//     ASCII lower-cased, traditional → simplified (character by character,
//     from OpenCC's t2s tables), evasion separators between Hanzi and
//     zero-width characters removed; every normalised byte maps back to a
//     byte of the original text;
//  2. candidates (findCandidates → candidates): one Aho-Corasick pass over
//     all normalised lexicon terms and the literals every rule pattern
//     requires; a page without a candidate that could complete a rule
//     (feasible) is returned clean at once, and never segmented;
//  3. segmentation (segment → words): whether a group term's candidate
//     starts and ends on word boundaries (著名校友 is not 名校; 十八大 is not
//     八大), by gse's words, cutting only the sentences that hold a
//     candidate a rule asks about, when it first asks;
//  4. rule hits (ruleHits → []hit): the places where a rule fires, by the
//     lexicon semantics;
//  5. filtering (filterHits → keptHits): the hits that no suppressor, allow
//     entry or exclusion takes out, by category;
//  6. scoring (scoreCategories → []scoredCategory): each category's
//     noisy-OR score, keeping those that reach the category's threshold;
//  7. voice (judgeVoice → []*adscan.Voice): a logistic-regression model
//     (package voice, trained on the labelled real-page corpus in
//     corpus/real) judges the passages around the scored categories' hits
//     — is this an education provider promoting its own service for
//     children? — from their gse words and page features (phone numbers,
//     prices, dates …); the most promotional passage is the page's voice,
//     with the features that weighed most;
//  8. flags (flags → []adscan.Flag): a flag for each scored category whose
//     voice is promotional, with evidence spans (byte offsets into the
//     original text, the rule that fired, a snippet) and the voice decision.
//
// Where the lexicon semantics leave a choice, the classifier takes these:
//
//   - Group terms need word boundaries (see boundaryOK for how terms that
//     gse joins to a neighbouring character are treated); suppressor,
//     exclusion and allow terms match as substrings of the normalised text,
//     which errs towards suppressing.
//   - "Within Window runes" for an All/Any rule means the whole hit, from
//     its first term to its last (and its number), spans at most Window
//     runes; for a Pattern rule, each group term lies within Window runes
//     of the match. A hit may cross a sentence end; its suppressor scope is
//     then every sentence it touches.
//   - The number a rule with Number asks for is a count, rate, score or
//     rank: a number followed by 人, 名, 位, 个, 席, 项, 枚, 所, 次 or 分, a
//     percentage, or a number after 第 (38人, 十二名, 91%, 700分, 第2). A
//     grade, a date, a duration or a price (五年级, 2026年, 3个月, 45分钟,
//     1980元) is not the number of a claim.
//   - A pattern's matches lie within one sentence (sentences end at
//     。！？；!?; and line breaks).
//   - A hit of a rule starts at a term (or pattern match) that no earlier
//     hit of the rule covers, but may reach back over one: 语文、数学、英语
//     before 辅导 gives a hit per subject word. They count as hits in the
//     score (a rule at most twice), and overlapping hits of one rule are
//     given as one evidence span covering them. At most maxHitsPerRule are
//     kept per rule and document, which bounds the work on huge documents.
//   - An exclusion with a Window counts its terms, and looks for its Unless
//     groups, within Window runes either side of each hit, and excludes that
//     hit only; without one it judges the whole document.
//   - Text that is not valid UTF-8 is classified with its invalid bytes
//     taken as they are; evidence offsets stay byte offsets into it.
package classifier

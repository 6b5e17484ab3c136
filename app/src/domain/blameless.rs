//! The blameless-language lint: phrases that put a person where a system description belongs,
//! each with a suggestion for a rewrite. It only warns; the editor runs it as you type and the
//! server runs it on save, both through `lint`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Warning {
    /// 1-based line of the markdown source.
    pub line: usize,
    /// 1-based column (in characters) where the phrase starts.
    pub column: usize,
    /// The text as written.
    pub phrase: String,
    pub suggestion: &'static str,
}

const SYSTEMS: &str = "Describe the conditions that made this possible: missing guardrails, confusing tooling, time pressure.";

/// Phrases, lowercase, with what to write instead.
const PHRASES: &[(&str, &str)] = &[
    ("human error", SYSTEMS),
    ("operator error", SYSTEMS),
    (
        "should have",
        "Say what would have helped, e.g. \"an alert on queue depth would have caught this sooner\".",
    ),
    (
        "should've",
        "Say what would have helped, e.g. \"an alert on queue depth would have caught this sooner\".",
    ),
    (
        "failed to",
        "Describe what happened and what was missing, e.g. \"the deploy went out without a canary step\".",
    ),
    (
        "forgot to",
        "Ask what would make the step impossible to miss: a checklist, automation, a safe default.",
    ),
    ("careless", SYSTEMS),
    ("carelessness", SYSTEMS),
    ("negligent", SYSTEMS),
    ("negligence", SYSTEMS),
    ("sloppy", SYSTEMS),
    ("lazy", SYSTEMS),
    ("incompetent", SYSTEMS),
    (
        "fault of",
        "Name the contributing factors rather than whose fault it was.",
    ),
    (
        "at fault",
        "Name the contributing factors rather than whose fault it was.",
    ),
    (
        "'s fault",
        "Name the contributing factors rather than whose fault it was.",
    ),
    (
        "to blame",
        "Name the contributing factors rather than who is to blame.",
    ),
    ("didn't bother", "Describe what made the step easy to skip."),
    (
        "did not bother",
        "Describe what made the step easy to skip.",
    ),
];

/// Verbs that, after a person's name, make that person the cause of the failure.
const ERROR_VERBS: &[&str] = &[
    "broke",
    "forgot",
    "caused",
    "missed",
    "deleted",
    "dropped",
    "misconfigured",
    "ignored",
    "overlooked",
    "mistyped",
    "botched",
    "screwed",
    "messed",
    "neglected",
    "failed",
    "crashed",
];

/// Capitalised words that start sentences without naming anyone.
const NOT_NAMES: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "we",
    "our",
    "they",
    "their",
    "he",
    "she",
    "i",
    "you",
    "someone",
    "somebody",
    "nobody",
    "everyone",
    "no",
    "one",
    "when",
    "after",
    "before",
    "then",
    "and",
    "but",
    "so",
    "if",
    "at",
    "on",
    "in",
    "during",
    "while",
    "deploy",
    "deployment",
    "service",
    "system",
    "job",
    "cron",
    "script",
    "automation",
    "alert",
    "monitoring",
    "config",
    "configuration",
    "database",
    "migration",
    "release",
    "rollout",
    "load",
    "traffic",
    "cache",
    "disk",
    "network",
    "dns",
    "api",
    "kubernetes",
    "terraform",
];

const NAME_SUGGESTION: &str =
    "Make the system the subject: what allowed the change through, and what would have stopped it?";

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Warnings for one markdown document, in source order; fenced code is left alone.
pub fn lint(markdown: &str) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut in_fence = false;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        lint_line(index + 1, line, &mut warnings);
    }
    warnings
}

fn lint_line(line_no: usize, line: &str, warnings: &mut Vec<Warning>) {
    let lower = line.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; then match on the line as written.
    let haystack = if lower.len() == line.len() {
        lower.as_str()
    } else {
        line
    };
    let column = |byte: usize| line[..byte].chars().count() + 1;
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new();
    for (phrase, suggestion) in PHRASES {
        let mut from = 0;
        while let Some(at) = haystack[from..].find(phrase) {
            let start = from + at;
            let end = start + phrase.len();
            let starts_word = phrase.starts_with('\'')
                || !line[..start].chars().next_back().is_some_and(is_word_char);
            let ends_word = !line[end..].chars().next().is_some_and(is_word_char);
            if starts_word && ends_word && !found.iter().any(|&(s, e, _)| start < e && s < end) {
                found.push((start, end, suggestion));
            }
            from = end;
        }
    }
    found.extend(named_subjects(line));
    found.sort_by_key(|&(start, _, _)| start);
    warnings.extend(found.into_iter().map(|(start, end, suggestion)| Warning {
        line: line_no,
        column: column(start),
        phrase: line[start..end].to_string(),
        suggestion,
    }));
}

/// "Dana broke the deploy": a capitalised name followed by an error verb.
fn named_subjects(line: &str) -> Vec<(usize, usize, &'static str)> {
    let words: Vec<(usize, &str)> = line
        .split(|c: char| !is_word_char(c) && c != '\'')
        .scan(0usize, |offset, word| {
            let start = *offset;
            *offset += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter_map(|pair| {
            let (start, name) = pair[0];
            let (verb_start, verb) = pair[1];
            let capitalised = name.chars().next().is_some_and(char::is_uppercase)
                && name.chars().skip(1).all(|c| c.is_lowercase() || c == '\'');
            let name_key = name.trim_end_matches("'s").to_lowercase();
            (capitalised
                && name.chars().count() > 1
                && !NOT_NAMES.contains(&name_key.as_str())
                && ERROR_VERBS.contains(&verb.to_lowercase().as_str()))
            .then_some((start, verb_start + verb.len(), NAME_SUGGESTION))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<String> {
        lint(text).into_iter().map(|w| w.phrase).collect()
    }

    #[test]
    fn flags_the_classic_blame_phrases() {
        assert_eq!(phrases("Root cause: human error."), ["human error"]);
        assert_eq!(
            phrases("The on-call Should Have checked the dashboard"),
            ["Should Have"]
        );
        assert_eq!(
            phrases("He forgot to run the migration and failed to notice."),
            ["forgot to", "failed to"]
        );
        assert_eq!(
            phrases("A careless, negligent change"),
            ["careless", "negligent"]
        );
        assert_eq!(
            phrases("It was the fault of the release manager"),
            ["fault of"]
        );
        assert_eq!(phrases("It was Sam's fault"), ["'s fault"]);
    }

    #[test]
    fn flags_a_named_person_as_the_cause() {
        assert_eq!(phrases("Dana broke the deploy pipeline."), ["Dana broke"]);
        assert_eq!(
            phrases("At 10:02 Priya deleted the wrong table"),
            ["Priya deleted"]
        );
    }

    #[test]
    fn leaves_systems_language_alone() {
        for text in [
            "The deploy broke the checkout service because the canary step was skipped.",
            "The migration failed after 10 minutes; retries exhausted the connection pool.",
            "We added an alert so that queue depth pages within two minutes.",
            "Dana rolled back the release and the error rate recovered.",
            "The failover worked as designed.",
            "shoulder, shoulders, fashioned", // no phrase inside other words
            "humanerror-tracker is the name of a dashboard",
        ] {
            assert_eq!(phrases(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn reports_line_and_column_in_characters() {
        let warnings = lint("# Summary\n\nAfter the café closed, Bob forgot to renew it.");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(
            (
                warnings[0].line,
                warnings[0].column,
                warnings[0].phrase.as_str()
            ),
            (3, 24, "Bob forgot")
        );
        assert_eq!(
            (
                warnings[1].line,
                warnings[1].column,
                warnings[1].phrase.as_str()
            ),
            (3, 28, "forgot to")
        );
        assert!(!warnings[1].suggestion.is_empty());
    }

    #[test]
    fn code_blocks_are_not_prose() {
        assert!(lint("```\nif failed to connect: human error\n```\n").is_empty());
    }
}

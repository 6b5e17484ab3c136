//! How a field that names one of many things (a person, a team, a service) ranks what matches
//! what has been typed, and what it suggests.

use serde::{Deserialize, Serialize};

/// One suggestion under such a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What picking it fills into the field.
    pub value: String,
    /// How it is shown.
    pub text: String,
    /// Shown beside it, quieter: a person's username, a service's team.
    pub detail: String,
}

/// How well `candidate` matches `query` (already lower-cased), ignoring case: 0 when it starts
/// with the query, 1 when one of its words does, 2 when it holds it anywhere; `None` when it does
/// not hold it. An empty query matches everything equally.
pub fn rank(candidate: &str, query: &str) -> Option<u8> {
    let candidate = candidate.to_lowercase();
    if candidate.starts_with(query) {
        Some(0)
    } else if candidate
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_' || c == '.')
        .any(|word| word.starts_with(query))
    {
        Some(1)
    } else if candidate.contains(query) {
        Some(2)
    } else {
        None
    }
}

/// The best `limit` of `candidates` for `query` by [`rank`], each with its best-ranked text;
/// in order of rank, keeping the candidates' own order within a rank.
pub fn best<T>(
    candidates: impl IntoIterator<Item = T>,
    texts: impl Fn(&T) -> Vec<&str>,
    query: &str,
    limit: usize,
) -> Vec<T> {
    let query = query.trim().to_lowercase();
    let mut found: Vec<(u8, T)> = candidates
        .into_iter()
        .filter_map(|c| {
            let r = texts(&c)
                .into_iter()
                .filter_map(|t| rank(t, &query))
                .min()?;
            Some((r, c))
        })
        .collect();
    found.sort_by_key(|(r, _)| *r);
    found.into_iter().take(limit).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_beat_words_beat_anywhere() {
        assert_eq!(rank("Payments", "pay"), Some(0));
        assert_eq!(rank("checkout-payments", "pay"), Some(1));
        assert_eq!(rank("Team Payments", "pay"), Some(1));
        assert_eq!(rank("Repayments", "pay"), Some(2));
        assert_eq!(rank("Search", "pay"), None);
        assert_eq!(rank("Ödeme", "öd"), Some(0), "case is ignored beyond ASCII");
        assert_eq!(rank("anything", ""), Some(0));
    }

    #[test]
    fn the_best_come_first_and_keep_their_order() {
        let names = [
            "Repayments",
            "checkout-payments",
            "Payments",
            "Search",
            "payouts",
        ];
        assert_eq!(
            best(names, |n| vec![*n], " PAY ", 10),
            ["Payments", "payouts", "checkout-payments", "Repayments"]
        );
        assert_eq!(best(names, |n| vec![*n], "pay", 2), ["Payments", "payouts"]);
        assert_eq!(
            best(names, |n| vec![*n], "", 2),
            ["Repayments", "checkout-payments"]
        );
    }
}

//! "How we measure": every figure's definition, in words, from the same code that computes it.

use crate::domain::analytics::how_we_measure;
use leptos::prelude::*;
use leptos_meta::Title;

/// The anchor of a definition, so figures elsewhere can link straight to theirs.
pub fn anchor(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[component]
pub fn HowWeMeasurePage() -> impl IntoView {
    let definitions = how_we_measure();
    view! {
        <Title text="How we measure" />
        <header class="page-header">
            <h1>"How we measure"</h1>
            <p class="lede">"The exact definition of every figure Hindsight shows. Days, weeks, months and quarters are counted in the organisation's reporting time zone."</p>
        </header>
        <section class="panel">
            <nav aria-label="Definitions">
                <ul class="toc">
                    {definitions.iter().map(|d| view! {
                        <li><a href=format!("#{}", anchor(d.title))>{d.title}</a></li>
                    }).collect_view()}
                </ul>
            </nav>
        </section>
        {definitions.into_iter().map(|d| view! {
            <section class="panel definition" id=anchor(d.title)>
                <h2>{d.title}</h2>
                <p>{d.text}</p>
            </section>
        }).collect_view()}
    }
}

#[cfg(test)]
mod tests {
    use super::anchor;

    #[test]
    fn anchors_are_readable_and_unique() {
        assert_eq!(anchor("Time to detect (TTD)"), "time-to-detect-ttd");
        let all: Vec<String> = crate::domain::analytics::how_we_measure()
            .iter()
            .map(|d| anchor(d.title))
            .collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{all:?}");
    }
}

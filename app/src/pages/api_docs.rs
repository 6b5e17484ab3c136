//! The API reference: every `/api/v1` operation with its parameters, body and answers, and the
//! shapes they use, read from the OpenAPI description the server publishes.

use crate::api::tokens::api_guide;
use crate::components::notice::ErrorNotice;
use crate::domain::api_guide::{ApiField, ApiGuide, ApiOperation, ApiShape, ApiType, shape_anchor};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let guide = Resource::new(|| (), |_| api_guide());
    view! {
        <Title text="API reference" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match guide.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(guide) => view! { <Guide guide /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Guide(guide: ApiGuide) -> impl IntoView {
    let ApiGuide {
        title,
        version,
        description,
        groups,
        shapes,
    } = guide;
    view! {
        <header class="page-header">
            <h1>{title}</h1>
            <p class="lede">{description}</p>
            <p class="hint">
                "Version " {version} ". The same description as OpenAPI 3.1: "
                <a href="/api/v1/openapi.json" rel="external">"/api/v1/openapi.json"</a>
                ". Make a token under " <a href="/account">"Account"</a> "."
            </p>
        </header>
        <section class="panel">
            <nav aria-label="Operations">
                <ul class="toc api-toc">
                    {groups.iter().map(|g| view! {
                        <li>
                            <strong>{g.name.clone()}</strong>
                            <ul>
                                {g.operations.iter().map(|op| view! {
                                    <li><a href=format!("#{}", op.anchor)>
                                        <code>{op.method.clone()} " " {op.path.clone()}</code>
                                    </a> " " {op.summary.clone()}</li>
                                }).collect_view()}
                            </ul>
                        </li>
                    }).collect_view()}
                </ul>
            </nav>
        </section>
        {groups.into_iter().map(|g| view! {
            <section class="panel api-group">
                <h2>{g.name}</h2>
                <p class="hint">{g.description}</p>
                {g.operations.into_iter().map(|op| view! { <Operation op /> }).collect_view()}
            </section>
        }).collect_view()}
        <section class="panel api-group">
            <h2>"Shapes"</h2>
            {shapes.into_iter().map(|shape| view! { <Shape shape /> }).collect_view()}
        </section>
    }
}

#[component]
fn TypeName(kind: ApiType) -> impl IntoView {
    match kind.shape {
        Some(shape) => view! {
            <a href=format!("#{}", shape_anchor(&shape))><code>{kind.text}</code></a>
        }
        .into_any(),
        None => view! { <code>{kind.text}</code> }.into_any(),
    }
}

#[component]
fn Fields(fields: Vec<ApiField>, #[prop(optional)] places: bool) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table api-fields">
                <thead><tr>
                    <th scope="col">"Name"</th>
                    {places.then(|| view! { <th scope="col">"In"</th> })}
                    <th scope="col">"Type"</th>
                    <th scope="col">"Required"</th>
                    <th scope="col">"Description"</th>
                </tr></thead>
                <tbody>
                    {fields.into_iter().map(|f| view! {
                        <tr>
                            <td><code>{f.name}</code></td>
                            {places.then(|| view! { <td>{f.place.clone()}</td> })}
                            <td><TypeName kind=f.kind /></td>
                            <td>{if f.required { "yes" } else { "no" }}</td>
                            <td>{f.description}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Operation(op: ApiOperation) -> impl IntoView {
    let method_class = format!("api-method api-{}", op.method.to_lowercase());
    view! {
        <article class="api-operation" id=op.anchor>
            <h3>
                <span class=method_class>{op.method}</span> " " <code>{op.path}</code>
            </h3>
            <p><strong>{op.summary}</strong></p>
            {(!op.description.is_empty()).then(|| view! { <p>{op.description}</p> })}
            <p class="hint">"Authentication: " {op.auth}</p>
            {(!op.parameters.is_empty()).then(|| view! {
                <h4>"Parameters"</h4>
                <Fields fields=op.parameters places=true />
            })}
            {op.body.map(|body| view! {
                <h4>"Body"</h4>
                <p><TypeName kind=body /> " " {op.body_description}</p>
            })}
            <h4>"Answers"</h4>
            <ul class="api-answers">
                {op.responses.into_iter().map(|r| view! {
                    <li>
                        <strong>{r.status}</strong> " " {r.description}
                        {r.body.map(|body| view! { " " <TypeName kind=body /> })}
                    </li>
                }).collect_view()}
            </ul>
        </article>
    }
}

#[component]
fn Shape(shape: ApiShape) -> impl IntoView {
    let anchor = shape_anchor(&shape.name);
    view! {
        <article class="api-shape" id=anchor>
            <h3><code>{shape.name}</code></h3>
            {(!shape.description.is_empty()).then(|| view! { <p>{shape.description}</p> })}
            {(!shape.values.is_empty()).then(|| view! {
                <p>"One of: " {shape.values.into_iter().enumerate().map(|(i, v)| view! {
                    {(i > 0).then_some(", ")}<code>{v}</code>
                }).collect_view()}</p>
            })}
            {(!shape.one_of.is_empty()).then(|| view! {
                <p>"Either: " {shape.one_of.into_iter().enumerate().map(|(i, t)| view! {
                    {(i > 0).then_some(" or ")}<TypeName kind=t />
                }).collect_view()}</p>
            })}
            {(!shape.fields.is_empty()).then(|| view! { <Fields fields=shape.fields /> })}
        </article>
    }
}

//! The API page's content, read from the OpenAPI description the server publishes: operations
//! grouped by tag with their parameters, body and answers, and the shapes they refer to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiGuide {
    pub title: String,
    pub version: String,
    pub description: String,
    pub groups: Vec<ApiGroup>,
    pub shapes: Vec<ApiShape>,
}

/// The operations of one tag, in the order the description lists its paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiGroup {
    pub name: String,
    pub description: String,
    pub operations: Vec<ApiOperation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiOperation {
    /// `get-api-v1-incidents-id`: the operation's anchor on the page.
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    /// How it authenticates, in words.
    pub auth: String,
    pub parameters: Vec<ApiField>,
    pub body: Option<ApiType>,
    pub body_description: String,
    pub responses: Vec<ApiAnswer>,
}

/// A type as the page shows it: words, and the shape to link to when it names one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiType {
    pub text: String,
    pub shape: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiField {
    pub name: String,
    /// `path`, `query` or empty for a shape's field.
    pub place: String,
    pub kind: ApiType,
    pub required: bool,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiAnswer {
    pub status: String,
    pub description: String,
    pub body: Option<ApiType>,
}

/// A named schema: its fields, or for a choice its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiShape {
    pub name: String,
    pub description: String,
    pub fields: Vec<ApiField>,
    /// For a choice: the values it takes.
    pub values: Vec<String>,
    /// For a shape that is one of several others.
    pub one_of: Vec<ApiType>,
}

/// The HTML id of a shape's section.
pub fn shape_anchor(name: &str) -> String {
    format!("shape-{name}")
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn ref_name(value: &Value) -> Option<String> {
    value["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_string)
}

/// A schema in words: `Incident`, `array of integer`, `string (date-time) or null`.
pub fn type_of(schema: &Value) -> ApiType {
    if let Some(name) = ref_name(schema) {
        return ApiType {
            text: name.clone(),
            shape: Some(name),
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let types: Vec<ApiType> = options.iter().map(type_of).collect();
            let shape = types.iter().find_map(|t| t.shape.clone());
            return ApiType {
                text: types
                    .into_iter()
                    .map(|t| t.text)
                    .collect::<Vec<_>>()
                    .join(" or "),
                shape,
            };
        }
    }
    let names: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(text).collect(),
        _ => Vec::new(),
    };
    if names.is_empty() {
        return ApiType {
            text: "any".into(),
            shape: None,
        };
    }
    let mut shape = None;
    let words: Vec<String> = names
        .iter()
        .map(|name| match name.as_str() {
            "array" => {
                let item = type_of(&schema["items"]);
                shape = item.shape.clone();
                format!("array of {}", item.text)
            }
            "string" | "integer" | "number" => match schema["format"].as_str() {
                Some(format) if !matches!(format, "int64" | "int32" | "double" | "float") => {
                    format!("{name} ({format})")
                }
                _ => name.clone(),
            },
            other => other.to_string(),
        })
        .collect();
    ApiType {
        text: words.join(" or "),
        shape,
    }
}

/// A schema's description; for a nullable reference it sits on the referring alternative.
fn description_of(schema: &Value) -> String {
    let own = text(&schema["description"]);
    if !own.is_empty() {
        return own;
    }
    schema["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|option| text(&option["description"]))
        .find(|d| !d.is_empty())
        .unwrap_or_default()
}

fn fields_of(schema: &Value) -> Vec<ApiField> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, prop)| ApiField {
                    name: name.clone(),
                    place: String::new(),
                    kind: type_of(prop),
                    required: required.contains(&name.as_str()),
                    description: description_of(prop),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn json_body(content: &Value) -> Option<ApiType> {
    content
        .as_object()?
        .values()
        .next()
        .map(|media| type_of(&media["schema"]))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn auth_of(operation: &Value, default: &Value, schemes: &Value) -> String {
    let requirements = if operation["security"].is_array() {
        &operation["security"]
    } else {
        default
    };
    let names: Vec<String> = requirements
        .as_array()
        .map(|reqs| {
            reqs.iter()
                .filter_map(Value::as_object)
                .flat_map(|r| r.keys().cloned())
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        return "None".into();
    }
    names
        .iter()
        .map(|name| {
            let scheme = &schemes[name];
            let description = text(&scheme["description"]);
            match (scheme["type"].as_str(), scheme["scheme"].as_str()) {
                (Some("http"), Some("bearer")) => {
                    format!("Authorization: Bearer, {}", lowercase_first(&description))
                }
                (Some("apiKey"), _) => format!(
                    "the {} header, {}",
                    text(&scheme["name"]),
                    lowercase_first(&description)
                ),
                _ => description,
            }
        })
        .collect::<Vec<_>>()
        .join("; or ")
}

impl ApiGuide {
    /// The guide to an OpenAPI 3.1 description.
    pub fn from_openapi(spec: &Value) -> ApiGuide {
        let mut groups: Vec<ApiGroup> = spec["tags"]
            .as_array()
            .map(|tags| {
                tags.iter()
                    .map(|t| ApiGroup {
                        name: text(&t["name"]),
                        description: text(&t["description"]),
                        operations: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let schemes = &spec["components"]["securitySchemes"];
        if let Some(paths) = spec["paths"].as_object() {
            for (path, item) in paths {
                for method in ["get", "post", "put", "patch", "delete"] {
                    let op = &item[method];
                    if !op.is_object() {
                        continue;
                    }
                    let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
                    let parameters = op["parameters"]
                        .as_array()
                        .map(|ps| {
                            ps.iter()
                                .map(|p| ApiField {
                                    name: text(&p["name"]),
                                    place: text(&p["in"]),
                                    kind: type_of(&p["schema"]),
                                    required: p["required"].as_bool().unwrap_or(false),
                                    description: text(&p["description"]),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let responses = op["responses"]
                        .as_object()
                        .map(|rs| {
                            rs.iter()
                                .map(|(status, r)| ApiAnswer {
                                    status: status.clone(),
                                    description: text(&r["description"]),
                                    body: json_body(&r["content"]),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let operation = ApiOperation {
                        anchor: format!("{method}{path}")
                            .chars()
                            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                            .collect::<String>()
                            .split('-')
                            .filter(|p| !p.is_empty())
                            .collect::<Vec<_>>()
                            .join("-"),
                        method: method.to_uppercase(),
                        path: path.clone(),
                        summary: text(&op["summary"]),
                        description: text(&op["description"]),
                        auth: auth_of(op, &spec["security"], schemes),
                        parameters,
                        body: json_body(&op["requestBody"]["content"]),
                        body_description: text(&op["requestBody"]["description"]),
                        responses,
                    };
                    match groups.iter_mut().find(|g| g.name == tag) {
                        Some(group) => group.operations.push(operation),
                        None => groups.push(ApiGroup {
                            name: tag,
                            description: String::new(),
                            operations: vec![operation],
                        }),
                    }
                }
            }
        }
        groups.retain(|g| !g.operations.is_empty());
        let shapes = spec["components"]["schemas"]
            .as_object()
            .map(|schemas| {
                schemas
                    .iter()
                    .map(|(name, schema)| ApiShape {
                        name: name.clone(),
                        description: text(&schema["description"]),
                        fields: fields_of(schema),
                        values: schema["enum"]
                            .as_array()
                            .map(|vs| vs.iter().map(text).collect())
                            .unwrap_or_default(),
                        one_of: schema["oneOf"]
                            .as_array()
                            .map(|vs| vs.iter().map(type_of).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ApiGuide {
            title: text(&spec["info"]["title"]),
            version: text(&spec["info"]["version"]),
            description: text(&spec["info"]["description"]),
            groups,
            shapes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_as_words_and_link_their_shape() {
        let t = |v: Value| type_of(&v);
        assert_eq!(
            t(json!({"$ref": "#/components/schemas/Incident"})).text,
            "Incident"
        );
        assert_eq!(
            t(json!({"$ref": "#/components/schemas/Incident"}))
                .shape
                .as_deref(),
            Some("Incident")
        );
        assert_eq!(
            t(json!({"type": "array", "items": {"type": "integer", "format": "int64"}})).text,
            "array of integer"
        );
        assert_eq!(
            t(json!({"type": ["string", "null"], "format": "date-time"})).text,
            "string (date-time) or null"
        );
        let nullable =
            t(json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Outcome"}]}));
        assert_eq!(nullable.text, "null or Outcome");
        assert_eq!(nullable.shape.as_deref(), Some("Outcome"));
        assert_eq!(t(json!({})).text, "any");
    }

    #[test]
    fn operations_are_grouped_by_tag_with_their_parameters_and_answers() {
        let spec = json!({
            "openapi": "3.1.0",
            "info": {"title": "Hindsight API", "version": "0.1.0", "description": "For scripts."},
            "tags": [{"name": "incidents", "description": "Incidents."}, {"name": "unused"}],
            "security": [{"bearer": []}],
            "paths": {
                "/api/v1/incidents/{id}": {
                    "get": {
                        "tags": ["incidents"],
                        "summary": "One incident",
                        "parameters": [{"name": "id", "in": "path", "required": true,
                            "description": "The incident.", "schema": {"type": "integer"}}],
                        "responses": {
                            "200": {"description": "The incident.", "content": {"application/json":
                                {"schema": {"$ref": "#/components/schemas/Incident"}}}},
                            "404": {"description": "Nothing has that id."}
                        }
                    }
                }
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                    "description": "A personal API token."}},
                "schemas": {
                    "Incident": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "integer", "description": "Its number."},
                        "severity": {"oneOf": [{"$ref": "#/components/schemas/Severity",
                            "description": "How bad."}, {"type": "null"}]},
                        "resolved_at": {"type": ["string", "null"], "format": "date-time"}
                    }},
                    "Severity": {"type": "string", "enum": ["sev1", "sev2"]}
                }
            }
        });
        let guide = ApiGuide::from_openapi(&spec);
        assert_eq!(guide.title, "Hindsight API");
        assert_eq!(
            guide.groups.len(),
            1,
            "a tag without operations is left out"
        );
        let op = &guide.groups[0].operations[0];
        assert_eq!(
            (op.method.as_str(), op.path.as_str(), op.anchor.as_str()),
            ("GET", "/api/v1/incidents/{id}", "get-api-v1-incidents-id")
        );
        assert_eq!(op.auth, "Authorization: Bearer, a personal API token.");
        assert_eq!(op.parameters[0].place, "path");
        assert!(op.parameters[0].required);
        assert_eq!(op.responses[0].body.as_ref().unwrap().text, "Incident");
        assert_eq!(op.responses[1].body, None);
        let incident = guide.shapes.iter().find(|s| s.name == "Incident").unwrap();
        assert!(incident.fields.iter().any(|f| f.name == "id" && f.required));
        assert!(
            incident
                .fields
                .iter()
                .any(|f| f.name == "resolved_at" && !f.required)
        );
        let severity_field = incident
            .fields
            .iter()
            .find(|f| f.name == "severity")
            .unwrap();
        assert_eq!(severity_field.description, "How bad.");
        let severity = guide.shapes.iter().find(|s| s.name == "Severity").unwrap();
        assert_eq!(severity.values, ["sev1", "sev2"]);
    }
}

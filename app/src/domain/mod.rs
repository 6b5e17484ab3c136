//! Pure types and rules shared by the server and the browser: no I/O here.

/// Declares a closed set of choices with their stored name, label and a parser whose error
/// lists the choices.
macro_rules! choices {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($key:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and used in forms and the API.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(input: &str) -> Result<$name, String> {
                let input = input.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|c| c.key().eq_ignore_ascii_case(input))
                    .ok_or_else(|| format!(
                        "must be one of {}",
                        $name::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ")
                    ))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        /// In the API description: a string, one of the stored names.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

pub mod account;
pub mod action_item;
pub mod alert;
pub mod analytics;
pub mod api_guide;
pub mod blameless;
pub mod catalog;
pub mod deploy;
pub mod history;
pub mod incident;
pub mod incident_import;
pub mod links;
pub mod markdown;
pub mod postmortem;
pub mod review;
pub mod role;
pub mod suggest;
pub mod time;
pub mod timeline;

pub use account::{DisplayName, Email, NewPassword, Username};
pub use role::Role;

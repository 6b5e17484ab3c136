//! The one error type of the application: expected failures carry a message a person can act on;
//! everything else is `Internal`, logged on the server and shown as a generic message.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field of the input is wrong; `field` is the form field's name.
    #[error("{label} {message}")]
    Validation {
        field: String,
        label: String,
        message: String,
    },
    #[error("Not found.")]
    NotFound,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Someone else changed this while you were editing it.")]
    Conflict { current_version: i64 },
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("This account is disabled. Ask an admin to enable it.")]
    AccountDisabled,
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The request never reached the function, or its answer could not be read.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn validation(field: &str, label: &str, message: impl Into<String>) -> AppError {
        AppError::Validation {
            field: field.to_string(),
            label: label.to_string(),
            message: message.into(),
        }
    }

    /// Turns a domain parser's complaint about one form field into a validation error.
    pub fn check<T>(field: &str, label: &str, parsed: Result<T, String>) -> Result<T, AppError> {
        parsed.map_err(|message| AppError::validation(field, label, message))
    }

    /// Logs the cause on the server and returns the generic error the browser sees.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        let at = std::panic::Location::caller();
        tracing::error!(%cause, location = %at, "internal error");
        AppError::Internal
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::NotFound => 404,
            AppError::Forbidden | AppError::AccountDisabled => 403,
            AppError::Conflict { .. } => 409,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// The message for one form field, if this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation {
                field,
                label,
                message,
            } if field == name => Some(format!("{label} {message}")),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    #[track_caller]
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field() {
        let err = AppError::validation("username", "Username", "is required");
        assert_eq!(err.to_string(), "Username is required");
        assert_eq!(
            err.for_field("username").as_deref(),
            Some("Username is required")
        );
        assert_eq!(err.for_field("email"), None);
        assert_eq!(err.status_code(), 422);
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = AppError::internal("UNIQUE constraint failed: users.username");
        assert!(!err.to_string().contains("UNIQUE"));
        assert_eq!(err.status_code(), 500);
    }

    #[test]
    fn errors_survive_the_wire() {
        let err = AppError::Conflict { current_version: 7 };
        assert_eq!(AppError::de(err.ser()), err);
    }
}

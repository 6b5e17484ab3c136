//! What a person may do in Hindsight. Roles are ordered: each includes what the ones below it may do.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Writes incidents, timelines, postmortems and action items.
    Engineer,
    /// Runs reviews and publishes postmortems.
    Facilitator,
    /// Reassigns and bulk-edits action items; edits the catalogue.
    Manager,
    /// Manages accounts and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Engineer,
        Role::Facilitator,
        Role::Manager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Engineer => "engineer",
            Role::Facilitator => "facilitator",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Engineer => "Engineer",
            Role::Facilitator => "Facilitator",
            Role::Manager => "Manager",
            Role::Admin => "Admin",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Role::Viewer => "Reads incidents, postmortems and figures.",
            Role::Engineer => "Writes incidents, timelines, postmortems and action items.",
            Role::Facilitator => "Also runs reviews and publishes postmortems.",
            Role::Manager => "Also reassigns action items and edits teams and services.",
            Role::Admin => "Also manages accounts and settings.",
        }
    }

    /// Whether someone with this role may do what `needed` may do.
    pub fn includes(self, needed: Role) -> bool {
        self >= needed
    }

    pub fn parse(input: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| format!("must be one of {}", Role::ALL.map(Role::as_str).join(", ")))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" Admin "), Ok(Role::Admin));
    }

    #[test]
    fn unknown_role_names_the_choices() {
        let err = Role::parse("owner").unwrap_err();
        assert!(err.contains("viewer") && err.contains("admin"), "{err}");
    }

    #[test]
    fn higher_roles_include_lower_ones() {
        assert!(Role::Admin.includes(Role::Viewer));
        assert!(Role::Manager.includes(Role::Facilitator));
        assert!(Role::Engineer.includes(Role::Engineer));
        assert!(!Role::Viewer.includes(Role::Engineer));
        assert!(!Role::Manager.includes(Role::Admin));
    }
}

//! Claims as the identity provider writes them.
//!
//! No identity provider issues `org`, `roles` and `districts` as Samverkan names them:
//! Keycloak puts realm roles in `realm_access.roles`, Entra ID puts app roles in `roles`
//! and group object IDs in `groups`, and the organization is often a custom claim. So each
//! of the caller's parts is read from a configurable **claim path** and the provider's role
//! values are mapped to the service's roles:
//!
//! | part | setting | default |
//! |---|---|---|
//! | subject | `SAMVERKAN_CLAIM_SUBJECT` | `sub` |
//! | organization (a slug) | `SAMVERKAN_CLAIM_ORGANIZATION` | `org` |
//! | roles | `SAMVERKAN_CLAIM_ROLES` | `roles` |
//! | districts (slugs) | `SAMVERKAN_CLAIM_DISTRICTS` | `districts` |
//! | municipalities (slugs) | `SAMVERKAN_CLAIM_MUNICIPALITIES` | `municipalities` |
//! | groups (when no organization claim) | `SAMVERKAN_CLAIM_GROUPS` | none |
//! | role values → roles | `SAMVERKAN_ROLE_MAP` | none: values are role names |
//!
//! A path is a claim name, a dotted path into nested objects (`realm_access.roles`,
//! `resource_access.samverkan.roles`), or — for names that hold dots or slashes, such as
//! the URI-named claims of some providers — a JSON Pointer (RFC 6901) starting with `/`
//! (`/https:~1~1example.org~1claims~1org`). A value may be a string or an array of
//! strings; a string in a list part (roles, districts, municipalities) is split at
//! whitespace, as OAuth's `scope` is.
//!
//! A token whose claims map to nothing is refused, and the message names the claim path
//! that was missing or held nothing usable — never the token's values.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Caller, Role};

/// Where in a token's claims one part of the caller is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPath {
    /// The path as configured (for messages).
    text: String,
    /// The object keys to follow, outermost first.
    keys: Vec<String>,
}

impl ClaimPath {
    /// Parse a claim name, a dotted path or a JSON Pointer (`/a/b`, with `~1` for `/`
    /// and `~0` for `~`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let keys: Vec<String> = if let Some(pointer) = trimmed.strip_prefix('/') {
            pointer
                .split('/')
                .map(|k| k.replace("~1", "/").replace("~0", "~"))
                .collect()
        } else {
            trimmed.split('.').map(str::to_owned).collect()
        };
        if trimmed.is_empty() || keys.iter().any(String::is_empty) {
            return Err(format!(
                "invalid claim path {text:?}: use a claim name, a dotted path such as \
                 realm_access.roles, or a JSON Pointer such as /realm_access/roles"
            ));
        }
        Ok(Self {
            text: trimmed.to_owned(),
            keys,
        })
    }

    /// The value at this path, if every key is there.
    pub fn find<'a>(&self, claims: &'a Value) -> Option<&'a Value> {
        self.keys
            .iter()
            .try_fold(claims, |value, key| value.as_object()?.get(key))
    }

    /// The path as configured.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The provider's role (or group) values that grant the service's roles
/// (`SAMVERKAN_ROLE_MAP`, e.g. `samverkan-admin=ADMIN,Samverkan.Editor=ORG_EDITOR`).
/// Values are compared exactly (case matters: providers treat them as identifiers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap(BTreeMap<String, Role>);

impl RoleMap {
    /// Parse `VALUE=ROLE` pairs separated by commas or semicolons. A value may map to one
    /// role; several values may map to the same role.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for pair in text
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let Some((value, role)) = pair.rsplit_once('=') else {
                return Err(format!(
                    "invalid SAMVERKAN_ROLE_MAP entry {pair:?}: write VALUE=ROLE, e.g. \
                     samverkan-admin=ADMIN"
                ));
            };
            let role: Role = role.trim().parse()?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!(
                    "invalid SAMVERKAN_ROLE_MAP entry {pair:?}: no value"
                ));
            }
            if map
                .insert(value.to_owned(), role)
                .is_some_and(|r| r != role)
            {
                return Err(format!(
                    "SAMVERKAN_ROLE_MAP maps {value:?} to two roles: map it to one"
                ));
            }
        }
        Ok(Self(map))
    }

    /// Whether no value is mapped (the values are then read as role names).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a token's claims become a caller: the paths of its parts and the role map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    /// The caller's stable identifier.
    pub subject: ClaimPath,
    /// The organization's slug.
    pub organization: ClaimPath,
    /// The roles (role names, or values of `role_map`).
    pub roles: ClaimPath,
    /// A coordinator's districts (slugs); optional in a token.
    pub districts: ClaimPath,
    /// A municipality administrator's municipalities (slugs); optional in a token.
    pub municipalities: ClaimPath,
    /// The provider's groups, read when the token names no organization: the
    /// organization is then the one its groups are mapped to (`mapProviderGroup`).
    /// `None`: no groups are read, an organization claim is required.
    pub groups: Option<ClaimPath>,
    /// The provider's values → the service's roles; empty: values are role names.
    pub role_map: RoleMap,
}

impl Default for ClaimMapping {
    /// Samverkan's own claim names (`samverkan token` writes them).
    fn default() -> Self {
        let path = |name: &str| ClaimPath {
            text: name.to_owned(),
            keys: vec![name.to_owned()],
        };
        Self {
            subject: path("sub"),
            organization: path("org"),
            roles: path("roles"),
            districts: path("districts"),
            municipalities: path("municipalities"),
            groups: None,
            role_map: RoleMap::default(),
        }
    }
}

impl ClaimMapping {
    /// Read the caller from `claims`, or say which claim is missing or unusable. Roles
    /// come each once, in the order of [`Role`].
    pub fn map(&self, claims: &Value) -> Result<Caller, String> {
        let sub = self.single(claims, &self.subject, "subject")?;
        let groups = match &self.groups {
            Some(path) => list(claims, path, "groups")?,
            None => Vec::new(),
        };
        // Without an organization claim, the groups decide (resolved against the
        // service's mapping after verification: `services::provider_groups`).
        let org = match (&self.groups, self.organization.find(claims)) {
            (Some(path), None) if groups.is_empty() => {
                return Err(format!(
                    "it lacks the organization claim ({}) and has no groups ({path})",
                    self.organization
                ));
            }
            (Some(_), None) => String::new(),
            _ => self.single(claims, &self.organization, "organization")?,
        };
        let values = strings(self.roles.find(claims)).ok_or_else(|| {
            format!(
                "its roles claim ({}) is missing or not a string or a list of strings",
                self.roles
            )
        })?;
        let mut roles = Vec::new();
        for value in &values {
            let role = if self.role_map.is_empty() {
                value.parse::<Role>().ok()
            } else {
                self.role_map.0.get(value.as_str()).copied()
            };
            if let Some(role) = role
                && !roles.contains(&role)
            {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Err(if self.role_map.is_empty() {
                format!(
                    "its roles claim ({}) names no Samverkan role (VIEWER, ORG_EDITOR, \
                     DISTRICT_COORDINATOR, MUNICIPALITY_ADMIN, ADMIN); map the provider's \
                     values with SAMVERKAN_ROLE_MAP",
                    self.roles
                )
            } else {
                format!(
                    "its roles claim ({}) holds no value SAMVERKAN_ROLE_MAP maps to a role",
                    self.roles
                )
            });
        }
        roles.sort_by_key(|r| *r as u8);
        Ok(Caller {
            sub,
            org,
            roles,
            districts: list(claims, &self.districts, "districts")?,
            municipalities: list(claims, &self.municipalities, "municipalities")?,
            groups,
        })
    }

    /// A part that must be one non-empty string.
    fn single(&self, claims: &Value, path: &ClaimPath, what: &str) -> Result<String, String> {
        match path.find(claims) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(format!(
                "its {what} claim ({path}) is empty or not a string"
            )),
            None => Err(format!("it lacks the {what} claim ({path})")),
        }
    }
}

/// An optional list part: absent or null is empty.
fn list(claims: &Value, path: &ClaimPath, what: &str) -> Result<Vec<String>, String> {
    match path.find(claims) {
        None | Some(Value::Null) => Ok(Vec::new()),
        found => strings(found).ok_or_else(|| {
            format!("its {what} claim ({path}) is not a string or a list of strings")
        }),
    }
}

/// A string (split at whitespace) or a list of strings; `None` for anything else.
fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::String(s) => Some(s.split_whitespace().map(str::to_owned).collect()),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_owned()))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().filter(|s| !s.is_empty()).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(roles: &str, map: &str) -> ClaimMapping {
        ClaimMapping {
            roles: ClaimPath::parse(roles).unwrap_or_else(|e| panic!("{e}")),
            role_map: RoleMap::parse(map).unwrap_or_else(|e| panic!("{e}")),
            ..ClaimMapping::default()
        }
    }

    #[test]
    fn paths_are_names_dotted_paths_or_json_pointers() {
        let claims = json!({
            "realm_access": {"roles": ["a"]},
            "https://x.org/org": "bromma",
            "a.b": 1,
        });
        let find = |p: &str| {
            ClaimPath::parse(p)
                .ok()
                .and_then(|p| p.find(&claims).cloned())
        };
        assert_eq!(find("realm_access.roles"), Some(json!(["a"])));
        assert_eq!(find("/realm_access/roles"), Some(json!(["a"])));
        assert_eq!(find("/https:~1~1x.org~1org"), Some(json!("bromma")));
        assert_eq!(find("/a.b"), Some(json!(1)));
        assert_eq!(find("a.b"), None);
        assert_eq!(find("realm_access.roles.x"), None);
        for bad in ["", " ", "a..b", ".a", "/", "/a//b"] {
            assert!(ClaimPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keycloak_realm_roles_map_through_the_role_map() {
        let m = mapping(
            "realm_access.roles",
            "samverkan-admin=ADMIN; samverkan-liaison=ORG_EDITOR",
        );
        let claims = json!({
            "sub": "f:1", "org": "polisen-vasterort",
            "realm_access": {"roles": ["offline_access", "samverkan-liaison", "samverkan-liaison"]},
        });
        let mapped = m.map(&claims).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mapped.roles, vec![Role::OrgEditor]);
        assert_eq!(mapped.org, "polisen-vasterort");
        assert!(mapped.districts.is_empty());
    }

    #[test]
    fn a_token_that_maps_to_nothing_names_the_missing_claim() {
        let m = mapping("realm_access.roles", "samverkan-admin=ADMIN");
        let cases = [
            (
                json!({"org": "x", "realm_access": {"roles": ["a"]}}),
                "lacks the subject claim (sub)",
            ),
            (
                json!({"sub": "s", "realm_access": {"roles": ["a"]}}),
                "lacks the organization claim (org)",
            ),
            (
                json!({"sub": "s", "org": "x"}),
                "roles claim (realm_access.roles) is missing",
            ),
            (
                json!({"sub": "s", "org": "x", "realm_access": {"roles": ["a"]}}),
                "holds no value SAMVERKAN_ROLE_MAP maps",
            ),
            (
                json!({"sub": "s", "org": "", "realm_access": {"roles": ["a"]}}),
                "organization claim (org) is empty",
            ),
            (
                json!({"sub": "s", "org": "x", "realm_access": {"roles": "samverkan-admin"}, "districts": 3}),
                "districts claim (districts) is not",
            ),
        ];
        for (claims, expected) in cases {
            match m.map(&claims) {
                Ok(c) => panic!("{claims} mapped to {c:?}"),
                Err(e) => assert!(e.contains(expected), "{claims}: {e}"),
            }
        }
    }

    #[test]
    fn without_a_role_map_values_are_role_names_and_strings_split() {
        let m = ClaimMapping::default();
        let claims = json!({"sub": "s", "org": "x", "roles": "VIEWER org_editor unknown", "districts": "bromma"});
        let mapped = m.map(&claims).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mapped.roles, vec![Role::Viewer, Role::OrgEditor]);
        assert_eq!(mapped.districts, vec!["bromma".to_owned()]);
    }

    #[test]
    fn role_maps_refuse_what_they_cannot_read() {
        assert!(RoleMap::parse("a").is_err());
        assert!(RoleMap::parse("a=KING").is_err());
        assert!(RoleMap::parse("=ADMIN").is_err());
        assert!(RoleMap::parse("a=ADMIN,a=VIEWER").is_err());
        assert!(RoleMap::parse("a=ADMIN,b=ADMIN").is_ok());
        assert!(RoleMap::parse("").is_ok_and(|m| m.is_empty()));
    }
}

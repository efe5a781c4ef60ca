//! Opaque global IDs for the Relay `Node` interface.
//!
//! An ID is the URL-safe base64 of `Type:number`, e.g. `Q29tbWl0bWVudDox` for
//! `Commitment:1`. Clients must treat IDs as opaque strings; the server checks that an
//! ID names the type an argument expects.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

macro_rules! node_types {
    ($($variant:ident),* $(,)?) => {
        /// The types that implement `Node`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum NodeType { $($variant),* }

        impl NodeType {
            /// The GraphQL type name.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => stringify!($variant)),* }
            }

            /// The node type of a GraphQL type name.
            pub fn from_type_name(name: &str) -> Option<Self> {
                Self::from_name(name)
            }

            fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($variant) => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

node_types!(
    Municipality,
    District,
    Organization,
    Strategy,
    PriorityArea,
    FocusArea,
    Method,
    ActionPlan,
    Activity,
    Responsibility,
    FollowUp,
    CollaborationArea,
    CollaborationGroup,
    Participation,
    Commitment,
    // The city's cycle (issue 14).
    Obligation,
    SituationPicture,
    Finding,
    CauseAnalysis,
    GroupFollowUp,
    Indicator,
    Target,
    Measurement,
    SourceDocument,
    // Issue 16.
    ProviderGroup,
);

/// The global ID of row `id` of `kind`.
pub fn encode(kind: NodeType, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decode any global ID.
pub fn decode(id: &ID) -> Result<(NodeType, i32), AppError> {
    let invalid = || AppError::bad_input("id", format!("{:?} is not a valid ID", id.as_str()));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, number) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeType::from_name(kind).ok_or_else(invalid)?;
    let number = number.parse::<i32>().map_err(|_| invalid())?;
    Ok((kind, number))
}

/// Decode an ID that must name a `kind`; `field` names the argument for the error.
pub fn decode_as(id: &ID, kind: NodeType, field: &str) -> Result<i32, AppError> {
    match decode(id) {
        Ok((k, n)) if k == kind => Ok(n),
        Ok((k, _)) => Err(AppError::bad_input(
            field,
            format!("expected the ID of a {}, got a {}", kind.name(), k.name()),
        )),
        Err(_) => Err(AppError::bad_input(
            field,
            format!("{:?} is not a valid {} ID", id.as_str(), kind.name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let id = encode(NodeType::Commitment, 42);
        assert_eq!(decode(&id).ok(), Some((NodeType::Commitment, 42)));
        assert!(decode_as(&id, NodeType::District, "district").is_err());
        assert!(decode(&ID::from("nonsense")).is_err());
    }
}

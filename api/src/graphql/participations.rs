//! Participations: an organization's seat in a collaboration group, with its contact.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// An organization's seat in a collaboration group: its contact, its other participants
/// and whether it convenes.
#[derive(Debug, Clone)]
pub struct Participation(pub participation::Model);

crate::plain_fields!(Participation: id, contact_role, other_participants, is_convener, attendance, version, organization, group);

/// An organization's seat in a collaboration group: its contact, its other participants
/// and whether it convenes.
#[Object]
impl Participation {
    /// The participation's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Participation, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Participation", self.0.id).await
    }
    /// X:s kontakt: the contact's role, as written (never a person's name).
    async fn contact_role(&self) -> Option<&str> {
        self.0.contact_role.as_deref()
    }
    /// X:s övriga deltagare, as written.
    async fn other_participants(&self) -> Option<&str> {
        self.0.other_participants.as_deref()
    }
    /// Whether this organization convenes the group.
    async fn is_convener(&self) -> bool {
        self.0.is_convener
    }
    /// How the organization takes part when the document qualifies it, as written (e.g.
    /// "vid behov" for SHIS in Skarpnäck's 2022 plan); null when it does not.
    async fn attendance(&self) -> Option<&str> {
        self.0.attendance.as_deref()
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The group.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<CollaborationGroup> {
        Ok(CollaborationGroup(
            load_required(ctx, CollaborationGroupId(self.0.group_id)).await?,
        ))
    }
    /// Whether the caller may change the seat or leave the group.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let group = load_required(ctx, CollaborationGroupId(self.0.group_id)).await?;
        let org = self.0.organization_id;
        can(ctx, |a| authz::participation(a, org, "", group.district_id)).await
    }
    /// Whether the caller may give up the seat (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        self.viewer_can_update(ctx).await
    }
    /// What this organization has promised in this group.
    async fn commitments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Commitment>> {
        let rows = load_many(
            ctx,
            CommitmentsOfParticipation {
                group_id: self.0.group_id,
                organization_id: self.0.organization_id,
            },
        )
        .await?;
        Ok(rows.into_iter().map(Commitment).collect())
    }
}

/// Take a seat in a group, for your own organization (coordinators and admins: any).
#[derive(InputObject, Debug)]
pub struct JoinGroupInput {
    /// The group (a CollaborationGroup ID).
    pub group: ID,
    /// The organization (an Organization ID); default: the token's organization.
    pub organization: Option<ID>,
    /// The contact's role (never a person's name), e.g. "Kommunpolis".
    pub contact_role: Option<String>,
    /// The organization's other participants.
    pub other_participants: Option<String>,
    /// Whether the organization convenes the group.
    #[graphql(default = false)]
    pub is_convener: bool,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a seat; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateParticipationInput {
    /// The seat (a Participation ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The contact's role.
    pub contact_role: MaybeUndefined<String>,
    /// The organization's other participants.
    pub other_participants: MaybeUndefined<String>,
    /// Whether the organization convenes the group.
    pub is_convener: Option<bool>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a participation mutation.
#[derive(SimpleObject, Debug)]
pub struct ParticipationPayload {
    /// The seat after the change; on a `CONFLICT`, the current seat.
    pub participation: Option<Participation>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Taking, changing and giving up seats.
#[derive(Debug, Default)]
pub struct ParticipationsMutation;

/// Taking, changing and giving up seats.
#[Object]
impl ParticipationsMutation {
    /// Take a seat in a group for your own organization (coordinators: any organization
    /// in their districts' groups).
    async fn join_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, which organization, which contact.")] input: JoinGroupInput,
    ) -> async_graphql::Result<ParticipationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let group = decode_as(&input.group, NodeType::CollaborationGroup, "input.group")?;
            let org = opt_id(
                input.organization.as_ref(),
                NodeType::Organization,
                "input.organization",
            )?;
            commitments::join(
                &st.db,
                actor,
                commitments::NewParticipation {
                    group_id: group,
                    organization_id: org,
                    contact_role: input.contact_role,
                    other_participants: input.other_participants,
                    is_convener: input.is_convener,
                },
            )
            .await
        })
        .await?;
        Ok(ParticipationPayload {
            participation: node.map(Participation),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a seat, based on the version you read.
    async fn update_participation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which seat, from which version, what changes.")]
        input: UpdateParticipationInput,
    ) -> async_graphql::Result<ParticipationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Participation, "input.id");
        let known = id.as_ref().ok().copied();
        let changes = commitments::ParticipationChanges {
            contact_role: patch(input.contact_role),
            other_participants: patch(input.other_participants),
            is_convener: input.is_convener,
        };
        let (node, user_errors) = mutate(ctx, known.map(ParticipationId), async {
            commitments::update_participation(&st.db, actor, id?, input.expected_version, changes)
                .await
        })
        .await?;
        Ok(ParticipationPayload {
            participation: node.map(Participation),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Give up a seat (its commitments must be removed first), based on the version you
    /// read.
    async fn leave_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which seat, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Participation, "input.id")?;
            commitments::leave(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|p| encode(NodeType::Participation, p.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

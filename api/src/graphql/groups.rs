//! Collaboration areas (samverkansområden) and collaboration groups (SSPF, SIG, Lokalt BRÅ
//! …) of a district.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// What kind of collaboration group a group is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::GroupKind")]
pub enum GroupKind {
    /// SSPF: skola, socialtjänst, polis och fritid.
    Sspf,
    /// SIG: sociala insatsgrupper (the API never stores the individuals).
    Sig,
    /// Operativt BRÅ: operative crime prevention, fresh situation picture every 14 days.
    OperativeBra,
    /// Lokalt BRÅ / brottsförebyggande råd (e.g. SkarpBrå, Trygghetsrådet).
    LocalBra,
    /// BUS: barn och unga i samverkan, with the region.
    Bus,
    /// Ungdomsutsättning: joint field deployments and information sharing on youth.
    YouthDeployment,
    /// Platssamverkan: place-focused operative collaboration.
    PlaceBased,
    /// Trygghetsinventering / trygghetsvandring.
    SafetyWalk,
    /// Samverkan kring våld i nära relation.
    DomesticViolence,
    /// Lokal samverkansöverenskommelse (styrgrupp).
    LocalAgreement,
    /// Any other group.
    Other,
}

/// A district's collaboration area (samverkansområde), e.g. "Skolan som brottsplats".
#[derive(Debug, Clone)]
pub struct CollaborationArea(pub collaboration_area::Model);

/// A district's collaboration area (samverkansområde), e.g. "Skolan som brottsplats".
#[Object]
impl CollaborationArea {
    /// The area's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::CollaborationArea, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service, not seeded.
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "CollaborationArea", self.0.id).await
    }
    /// Stable readable identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Övergripande mål och syfte, as written.
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }
    /// Lägesbild (the situation), as written.
    async fn situation(&self) -> Option<&str> {
        self.0.situation.as_deref()
    }
    /// Position in the district's plan (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The district.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        Ok(District(
            load_required(ctx, DistrictId(self.0.district_id)).await?,
        ))
    }
    /// Whether the caller may add groups to the area.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let d = self.0.district_id;
        can(ctx, |a| authz::district(a, d, "")).await
    }
    /// The groups organised under this area.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include archived groups.", default = false)] include_archived: bool,
    ) -> async_graphql::Result<Vec<CollaborationGroup>> {
        let rows = load_many(ctx, GroupsOfArea(self.0.id)).await?;
        Ok(rows
            .into_iter()
            .filter(|g| include_archived || g.archived_at.is_none())
            .map(CollaborationGroup)
            .collect())
    }
}

/// A collaboration group or forum (SSPF, SIG, operativt BRÅ, lokalt BRÅ …) with its
/// purpose, term, cadence and the organizations taking part.
#[derive(Debug, Clone)]
pub struct CollaborationGroup(pub collaboration_group::Model);

/// A collaboration group or forum (SSPF, SIG, operativt BRÅ, lokalt BRÅ …) with its
/// purpose, term, cadence and the organizations taking part.
#[Object]
impl CollaborationGroup {
    /// The group's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::CollaborationGroup, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service, not seeded.
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "CollaborationGroup", self.0.id).await
    }
    /// Stable readable identifier, e.g. `skarpnack-sspf`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The plan's second heading of the group (e.g. "SSPF; skola, socialtjänst, polis och
    /// fritid").
    async fn subtitle(&self) -> Option<&str> {
        self.0.subtitle.as_deref()
    }
    /// What kind of group it is: the first of its `kinds`.
    async fn kind(&self) -> GroupKind {
        self.0.kind.into()
    }
    /// Mål och syfte, as written.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
    /// Lägesbild, as written.
    async fn situation(&self) -> Option<&str> {
        self.0.situation.as_deref()
    }
    /// Löptid, as written (e.g. "Tillsvidare").
    async fn term(&self) -> Option<&str> {
        self.0.term.as_deref()
    }
    /// The date the term ends, when it is a date.
    async fn term_ends_on(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.term_ends_on.map(Into::into)
    }
    /// Mötesfrekvens, as written.
    async fn meeting_cadence(&self) -> Option<&str> {
        self.0.meeting_cadence.as_deref()
    }
    /// Sammankallande, as written.
    async fn convener(&self) -> Option<&str> {
        self.0.convener.as_deref()
    }
    /// Finansiering, as written.
    async fn financing(&self) -> Option<&str> {
        self.0.financing.as_deref()
    }
    /// Kommunikation, as written.
    async fn communication(&self) -> Option<&str> {
        self.0.communication.as_deref()
    }
    /// Uppföljning, as written.
    async fn follow_up_cadence(&self) -> Option<&str> {
        self.0.follow_up_cadence.as_deref()
    }
    /// Övriga deltagare (participants beyond the organizations' seats), as written.
    async fn other_participants(&self) -> Option<&str> {
        self.0.other_participants.as_deref()
    }
    /// When it was archived; null while active.
    async fn archived_at(&self) -> Option<crate::graphql::scalars::DateTime> {
        self.0.archived_at.map(Into::into)
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The district.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        Ok(District(
            load_required(ctx, DistrictId(self.0.district_id)).await?,
        ))
    }
    /// Whether the caller may change the group and who takes part.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let d = self.0.district_id;
        can(ctx, |a| authz::district(a, d, "")).await
    }
    /// Whether the caller may archive the group (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        self.viewer_can_update(ctx).await
    }
    /// The collaboration area it is organised under.
    async fn area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CollaborationArea>> {
        match self.0.collaboration_area_id {
            Some(id) => Ok(load(ctx, CollaborationAreaId(id))
                .await?
                .map(CollaborationArea)),
            None => Ok(None),
        }
    }
    /// The organizations' seats in the group.
    async fn participations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Participation>> {
        let rows = load_many(ctx, ParticipationsOfGroup(self.0.id)).await?;
        Ok(rows.into_iter().map(Participation).collect())
    }
    /// What each organization has promised in the group.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Commitment>> {
        let args = page_args(
            ctx,
            encode(NodeType::CollaborationGroup, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, CommitmentsOfGroup(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Commitment, args))
    }

    // --- Groups everywhere (issue 14, item 5) ---

    /// Every kind the group is of, as its source writes it (e.g. Skarpnäck's
    /// "Ungdomsutsättning och Sociala insatsgrupper" is `[YOUTH_DEPLOYMENT, SIG]`); the
    /// first is `kind`. Never empty.
    async fn kinds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GroupKind>> {
        Ok(group_kinds(ctx, &self.0)
            .await?
            .into_iter()
            .map(GroupKind::from)
            .collect())
    }
    /// The first day the group is valid (e.g. 2022-01-01 for a group of a 2022 plan);
    /// null: valid from whenever it began.
    async fn valid_from(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.valid_from.map(Into::into)
    }
    /// The last day the group is valid (e.g. 2022-12-31); null: valid until further
    /// notice.
    async fn valid_until(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.valid_until.map(Into::into)
    }
    /// Whether the group is valid on a day (default: today in Europe/Stockholm): its
    /// validFrom/validUntil cover the day (an unset bound is open) and it is not
    /// archived. A group of a 2022 plan is not current in 2026.
    async fn current(
        &self,
        #[graphql(desc = "The day to judge by (default: today, Europe/Stockholm).")] on: Option<
            crate::graphql::scalars::Date,
        >,
    ) -> bool {
        let day = on.map_or_else(|| groups::stockholm_today(chrono::Utc::now()), Into::into);
        self.0.archived_at.is_none() && groups::valid_on(&self.0, day)
    }
    /// The action plan the group comes from (the plan that names it), if recorded.
    async fn source_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ActionPlan>> {
        match self.0.source_plan_id {
            Some(id) => Ok(load(ctx, ActionPlanId(id)).await?.map(ActionPlan)),
            None => Ok(None),
        }
    }
    /// The activities of the plans that the group carries, ordered by id.
    async fn activities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Activity>> {
        let rows = load_many(ctx, ActivitiesOfGroup(self.0.id)).await?;
        Ok(rows.into_iter().map(Activity).collect())
    }
    /// Uppföljning, as written (the same text as `followUpCadence`; named as on
    /// `Activity`).
    async fn follow_up_schedule(&self) -> Option<&str> {
        self.0.follow_up_cadence.as_deref()
    }
    /// The reporting points the group's follow-up asks for (empty: the group is not
    /// expected to report; see `followUpSummary.groupsExpected`).
    async fn follow_up_terms(&self) -> Vec<Term> {
        terms::decode(&self.0.follow_up_terms)
            .into_iter()
            .map(Term::from)
            .collect()
    }
    /// Its follow-up of one reporting period; null when the period has not been reported.
    async fn follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period: ReportingPeriodInput,
    ) -> async_graphql::Result<Option<GroupFollowUp>> {
        let key = GroupFollowUpOfPeriod {
            group_id: self.0.id,
            year: period.year,
            term: period.term.into(),
        };
        Ok(load(ctx, key).await?.map(GroupFollowUp))
    }
    /// Its follow-ups, in the order they were first reported.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<GroupFollowUp>> {
        let args = page_args(
            ctx,
            encode(NodeType::CollaborationGroup, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, GroupFollowUpsOfGroup(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, GroupFollowUp, args))
    }
    /// Whether the caller may report the group's follow-ups (the organizations with a
    /// seat in it, the district's coordinators, admins).
    async fn viewer_can_report_follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let seats = seat_organizations(ctx, self.0.id).await?;
        let d = self.0.district_id;
        can(ctx, |a| authz::group_follow_up(a, &seats, d, false)).await
    }
}

/// Every kind of `group`, its `kind` first (batched by [`KindsOfGroup`]).
pub(crate) async fn group_kinds(
    ctx: &Context<'_>,
    group: &collaboration_group::Model,
) -> async_graphql::Result<Vec<entity::enums::GroupKind>> {
    let rows = load_many(ctx, KindsOfGroup(group.id)).await?;
    Ok(groups::with_kind_first(group.kind, rows))
}

/// The organizations with a seat in group `group_id` (who may report its follow-ups).
pub(crate) async fn seat_organizations(
    ctx: &Context<'_>,
    group_id: i32,
) -> async_graphql::Result<Vec<i32>> {
    Ok(load_many(ctx, ParticipationsOfGroup(group_id))
        .await?
        .iter()
        .map(|p| p.organization_id)
        .collect())
}

/// Filters of the `collaborationGroups` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CollaborationGroupFilterInput {
    /// Groups of this district (a District ID).
    pub district: Option<ID>,
    /// Groups of this kind: any of their `kinds`.
    pub kind: Option<GroupKind>,
    /// Groups this organization takes part in (an Organization ID).
    pub organization: Option<ID>,
    /// Include archived groups (default false).
    #[graphql(default = false)]
    pub include_archived: bool,
    /// Groups valid on this day: their validFrom/validUntil cover it (an unset bound is
    /// open).
    pub valid_on: Option<crate::graphql::scalars::Date>,
}

/// Create a collaboration area in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationAreaInput {
    /// The district (a District ID).
    pub district: ID,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name, e.g. "Skolan som brottsplats".
    pub name: String,
    /// Övergripande mål och syfte.
    pub goal: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a collaboration area.
#[derive(SimpleObject, Debug)]
pub struct CollaborationAreaPayload {
    /// The new area.
    pub collaboration_area: Option<CollaborationArea>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Create a collaboration group in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationGroupInput {
    /// The district (a District ID).
    pub district: ID,
    /// The area it is organised under (a CollaborationArea ID of the same district).
    pub area: Option<ID>,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind (the first of its kinds). Give `kind`, `kinds` or both (then `kind` is
    /// `kinds`' first); neither is a `BAD_USER_INPUT` user error.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: Option<String>,
    /// Mål och syfte.
    pub purpose: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Löptid as written (e.g. "Tillsvidare").
    pub term: Option<String>,
    /// The date the term ends, when it is a date.
    pub term_ends_on: Option<crate::graphql::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: Option<String>,
    /// Sammankallande.
    pub convener: Option<String>,
    /// Finansiering.
    pub financing: Option<String>,
    /// Kommunikation.
    pub communication: Option<String>,
    /// Uppföljning.
    pub follow_up_cadence: Option<String>,
    /// Övriga deltagare.
    pub other_participants: Option<String>,
    /// Every kind the group is of, as written, the first being its `kind` (no repeats).
    pub kinds: Option<Vec<GroupKind>>,
    /// First day the group is valid.
    pub valid_from: Option<crate::graphql::scalars::Date>,
    /// Last day the group is valid (not before `validFrom`).
    pub valid_until: Option<crate::graphql::scalars::Date>,
    /// The action plan it comes from (an ActionPlan ID of the same district, or of no
    /// district).
    pub source_plan: Option<ID>,
    /// The reporting points its follow-up asks for.
    #[graphql(default)]
    pub follow_up_terms: Vec<Term>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a collaboration group; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateCollaborationGroupInput {
    /// The group (a CollaborationGroup ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The area it is organised under.
    pub area: MaybeUndefined<ID>,
    /// Name.
    pub name: Option<String>,
    /// Kind: becomes the first of its kinds, the others staying after it.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: MaybeUndefined<String>,
    /// Mål och syfte.
    pub purpose: MaybeUndefined<String>,
    /// Lägesbild.
    pub situation: MaybeUndefined<String>,
    /// Löptid as written.
    pub term: MaybeUndefined<String>,
    /// The date the term ends.
    pub term_ends_on: MaybeUndefined<crate::graphql::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: MaybeUndefined<String>,
    /// Sammankallande.
    pub convener: MaybeUndefined<String>,
    /// Finansiering.
    pub financing: MaybeUndefined<String>,
    /// Kommunikation.
    pub communication: MaybeUndefined<String>,
    /// Uppföljning.
    pub follow_up_cadence: MaybeUndefined<String>,
    /// Övriga deltagare.
    pub other_participants: MaybeUndefined<String>,
    /// Every kind, as written (replaces the list; the first becomes `kind`; if `kind` is
    /// given too, it must be the first).
    pub kinds: Option<Vec<GroupKind>>,
    /// First day the group is valid.
    pub valid_from: MaybeUndefined<crate::graphql::scalars::Date>,
    /// Last day the group is valid.
    pub valid_until: MaybeUndefined<crate::graphql::scalars::Date>,
    /// The action plan it comes from (an ActionPlan ID).
    pub source_plan: MaybeUndefined<ID>,
    /// The reporting points its follow-up asks for (replaces the list).
    pub follow_up_terms: Option<Vec<Term>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a collaboration group mutation.
#[derive(SimpleObject, Debug)]
pub struct CollaborationGroupPayload {
    /// The group after the change; on a `CONFLICT`, the current group.
    pub collaboration_group: Option<CollaborationGroup>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Collaboration groups.
#[derive(Debug, Default)]
pub struct GroupsQuery;

/// Collaboration groups.
#[Object]
impl GroupsQuery {
    /// Collaboration groups across every district, filtered. Archived groups are left
    /// out unless asked for.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn collaboration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which groups.")] filter: Option<CollaborationGroupFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<CollaborationGroup>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::GroupFilter {
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
            kind: f.kind.map(Into::into),
            organization: opt_id(
                f.organization.as_ref(),
                NodeType::Organization,
                "filter.organization",
            )?,
            include_archived: f.include_archived,
            valid_on: f.valid_on.map(Into::into),
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::groups(&q),
            collaboration_group::Column::Id,
            |m| m.id,
            CollaborationGroup,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}

/// Changes to collaboration areas and groups.
#[derive(Debug, Default)]
pub struct GroupsMutation;

/// Changes to collaboration areas and groups.
#[Object]
impl GroupsMutation {
    /// Create a collaboration area (coordinators of the district, admins).
    async fn create_collaboration_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new area.")] input: CreateCollaborationAreaInput,
    ) -> async_graphql::Result<CollaborationAreaPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            groups::create_area(
                &st.db,
                actor,
                groups::NewArea {
                    district_id: decode_as(&input.district, NodeType::District, "input.district")?,
                    slug: input.slug,
                    name: input.name,
                    goal: input.goal,
                    situation: input.situation,
                },
            )
            .await
        })
        .await?;
        Ok(CollaborationAreaPayload {
            collaboration_area: node.map(CollaborationArea),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create a collaboration group (coordinators of the district, admins).
    async fn create_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new group.")] input: CreateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(
            ctx,
            announce(EventKind::Group, "collaborationGroup.create"),
            (),
            async {
                let district = decode_as(&input.district, NodeType::District, "input.district")?;
                let fields = groups::GroupFields {
                    area_id: Some(opt_id(
                        input.area.as_ref(),
                        NodeType::CollaborationArea,
                        "input.area",
                    )?),
                    name: Some(input.name),
                    kind: input.kind.map(Into::into),
                    subtitle: Some(input.subtitle),
                    purpose: Some(input.purpose),
                    situation: Some(input.situation),
                    term: Some(input.term),
                    term_ends_on: Some(input.term_ends_on.map(Into::into)),
                    meeting_cadence: Some(input.meeting_cadence),
                    convener: Some(input.convener),
                    financing: Some(input.financing),
                    communication: Some(input.communication),
                    follow_up_cadence: Some(input.follow_up_cadence),
                    other_participants: Some(input.other_participants),
                    kinds: input.kinds.map(|k| k.into_iter().map(Into::into).collect()),
                    valid_from: Some(input.valid_from.map(Into::into)),
                    valid_until: Some(input.valid_until.map(Into::into)),
                    source_plan_id: Some(opt_id(
                        input.source_plan.as_ref(),
                        NodeType::ActionPlan,
                        "input.sourcePlan",
                    )?),
                    follow_up_terms: Some(
                        input.follow_up_terms.into_iter().map(Into::into).collect(),
                    ),
                };
                groups::create_group(&st.db, actor, district, input.slug, fields).await
            },
        )
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a collaboration group (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version, what changes.")]
        input: UpdateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(
            ctx,
            announce(EventKind::Group, "collaborationGroup.update"),
            known.map(CollaborationGroupId),
            async {
                let fields = groups::GroupFields {
                    area_id: patch_id(input.area, NodeType::CollaborationArea, "input.area")?,
                    name: input.name,
                    kind: input.kind.map(Into::into),
                    subtitle: patch(input.subtitle),
                    purpose: patch(input.purpose),
                    situation: patch(input.situation),
                    term: patch(input.term),
                    term_ends_on: patch(input.term_ends_on.map_value(Into::into)),
                    meeting_cadence: patch(input.meeting_cadence),
                    convener: patch(input.convener),
                    financing: patch(input.financing),
                    communication: patch(input.communication),
                    follow_up_cadence: patch(input.follow_up_cadence),
                    other_participants: patch(input.other_participants),
                    kinds: input.kinds.map(|k| k.into_iter().map(Into::into).collect()),
                    valid_from: patch(input.valid_from.map_value(Into::into)),
                    valid_until: patch(input.valid_until.map_value(Into::into)),
                    source_plan_id: patch_id(
                        input.source_plan,
                        NodeType::ActionPlan,
                        "input.sourcePlan",
                    )?,
                    follow_up_terms: input
                        .follow_up_terms
                        .map(|t| t.into_iter().map(Into::into).collect()),
                };
                groups::update_group(&st.db, actor, id?, input.expected_version, fields, false)
                    .await
            },
        )
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Archive a collaboration group (coordinators of the district, admins): it leaves
    /// the lists but keeps its history.
    async fn archive_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(
            ctx,
            announce(EventKind::Group, "collaborationGroup.archive"),
            (),
            async {
                let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id")?;
                groups::update_group(
                    &st.db,
                    actor,
                    id,
                    input.expected_version,
                    groups::GroupFields::default(),
                    true,
                )
                .await
            },
        )
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

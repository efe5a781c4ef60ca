//! The object types of `groups` (see the parent module).

use super::*;

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
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
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

crate::plain_fields!(CollaborationGroup: id, slug, name, subtitle, kind, purpose, situation, term, term_ends_on, meeting_cadence, convener, financing, communication, follow_up_cadence, other_participants, archived_at, version, updated_at, district, valid_from, valid_until, follow_up_schedule);
crate::plain_enums!(GroupKind);

/// A collaboration group or forum (SSPF, SIG, operativt BRÅ, lokalt BRÅ …) with its
/// purpose, term, cadence and the organizations taking part.
#[Object]
impl CollaborationGroup {
    /// The group's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::CollaborationGroup, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
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
    async fn participations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<PlainList<Participation>> {
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

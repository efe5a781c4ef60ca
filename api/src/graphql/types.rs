//! The object types of the schema. Each wraps one entity row; every relation is loaded
//! through the request's batch loader (see `loaders`).
//!
//! Names follow `GLOSSARY.md`: English type and field names, Swedish data exactly as the
//! districts wrote it.

use async_graphql::{Context, Enum, ID, Interface, Object, SimpleObject};
use entity::*;

use super::ids::{NodeType, encode};
use super::loaders::*;
use super::pagination::{Page, PageArgs, page_vec};
use super::{actor, load, load_many, load_required, state};
use crate::auth::Role;
use crate::error::AppError;
use crate::services::authz::{self, Actor, Denied};
use crate::services::terms;

/// The organizations responsible for an activity (who may report its follow-ups).
async fn responsible_organizations(
    ctx: &Context<'_>,
    activity_id: i32,
) -> async_graphql::Result<Vec<i32>> {
    Ok(load_many(ctx, ResponsibilitiesOfActivity(activity_id))
        .await?
        .iter()
        .map(|r| r.organization_id)
        .collect())
}

/// Whether the caller may make a change, by the same rule the mutation applies.
async fn can(
    ctx: &Context<'_>,
    rule: impl FnOnce(&Actor) -> Result<(), Denied>,
) -> async_graphql::Result<bool> {
    Ok(rule(actor(ctx).await?).is_ok())
}

/// The audit trail of one node in `district`, for those who may read it.
async fn history(
    ctx: &Context<'_>,
    node_type: &'static str,
    id: i32,
    district: i32,
    args: PageArgs,
) -> async_graphql::Result<Page<AuditEvent>> {
    if !authz::audit_read(actor(ctx).await?, Some(district)) {
        return Err(AppError::Forbidden(
            "the audit log is read by the district's coordinators and admins".into(),
        )
        .into());
    }
    let rows = load_many(ctx, AuditOfNode(node_type, id)).await?;
    Ok(page_vec(rows, |r| r.id, AuditEvent, args))
}

/// One recorded change: who made it, for which organization, what it did, and the node
/// before and after.
#[derive(Debug, Clone)]
pub struct AuditEvent(pub entity::audit_event::Model);

/// One recorded change: who made it, for which organization, what it did, and the node
/// before and after.
#[Object]
impl AuditEvent {
    /// When the change was made.
    async fn at(&self) -> super::scalars::DateTime {
        self.0.at.into()
    }
    /// The token subject who made it.
    async fn actor(&self) -> &str {
        &self.0.actor_sub
    }
    /// The organization the actor acted for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.actor_organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// What was done, e.g. `commitment.update`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The type of the node changed, e.g. `Commitment`.
    async fn node_type(&self) -> &str {
        &self.0.node_type
    }
    /// The global ID of the node changed (it may since have been removed).
    async fn node_id(&self) -> Option<ID> {
        super::ids::NodeType::from_type_name(&self.0.node_type).map(|t| encode(t, self.0.node_id))
    }
    /// The district the node lies in.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match self.0.district_id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// The node before the change (null when it was created).
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.before.as_deref())
    }
    /// The node after the change (null when it was removed).
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.after.as_deref())
    }
}

fn json(text: Option<&str>) -> Option<async_graphql::Json<serde_json::Value>> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .map(async_graphql::Json)
}

/// What kind of body an organization is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::OrganizationKind")]
pub enum OrganizationKind {
    /// A district administration (stadsdelsförvaltning, SDF).
    DistrictAdministration,
    /// The police: a region or a local police area (lokalpolisområde, LPO).
    Police,
    /// Education: utbildningsförvaltningen or a school.
    Education,
    /// A city-wide administration (socialförvaltningen, trafikkontoret, …).
    CityAdministration,
    /// The region (hälso- och sjukvård, BUP).
    Region,
    /// A housing company (bostadsbolag).
    HousingCompany,
    /// Public transport (e.g. MTR).
    Transit,
    /// A security company (e.g. AVARN).
    SecurityCompany,
    /// Civil society: associations, congregations, foundations.
    CivilSociety,
    /// Business and merchants.
    Business,
    /// Anything else.
    Other,
}

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

/// The status of an activity as reported in a follow-up.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::FollowUpStatus")]
pub enum FollowUpStatus {
    /// Planned, not started.
    Planned,
    /// Pågår.
    Ongoing,
    /// Klart.
    Done,
    /// Pausad.
    Paused,
    /// Cancelled.
    Cancelled,
}

/// The city's reporting points of a year.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Term")]
pub enum Term {
    /// Tertialrapport 1: January–April.
    T1,
    /// Tertialrapport 2: May–August (status as of 31 August).
    T2,
    /// Verksamhetsberättelse: the whole year.
    Annual,
}

/// A reporting period: a year and a term.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ReportingPeriod {
    /// The year.
    pub year: i32,
    /// The term of the year.
    pub term: Term,
}

/// An activity's status at one reporting period.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct StatusAtPeriod {
    /// The period.
    pub period: ReportingPeriod,
    /// The status reported.
    pub status: FollowUpStatus,
    /// The date the status describes.
    pub as_of: Option<super::scalars::Date>,
}

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    /// A municipality.
    Municipality(Municipality),
    /// A district.
    District(District),
    /// An organization.
    Organization(Organization),
    /// A strategy.
    Strategy(Strategy),
    /// A priority area.
    PriorityArea(PriorityArea),
    /// A focus area.
    FocusArea(FocusArea),
    /// A method.
    Method(Method),
    /// An action plan.
    ActionPlan(ActionPlan),
    /// An activity.
    Activity(Activity),
    /// A responsibility.
    Responsibility(Responsibility),
    /// A follow-up.
    FollowUp(FollowUp),
    /// A collaboration area.
    CollaborationArea(CollaborationArea),
    /// A collaboration group.
    CollaborationGroup(CollaborationGroup),
    /// A participation.
    Participation(Participation),
    /// A commitment.
    Commitment(Commitment),
}

/// Page arguments of a connection that hangs off the object `owner`.
fn page_args(
    ctx: &Context<'_>,
    owner: ID,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<PageArgs> {
    Ok(PageArgs::new(
        ctx,
        Some(owner.as_str()),
        after,
        before,
        first,
        last,
    )?)
}

/// The caller, as their token describes them.
#[derive(Debug, Clone)]
pub struct Viewer;

/// The caller, as their token describes them.
#[Object]
impl Viewer {
    /// The token's subject: who is asking.
    async fn sub(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(state(ctx)?.caller.sub.clone())
    }

    /// The token's roles.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Role>> {
        Ok(state(ctx)?.caller.roles.clone())
    }

    /// The slug of the organization the caller acts for (the token's `org`).
    async fn organization_slug(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(state(ctx)?.caller.org.clone())
    }

    /// The organization the caller acts for; null if the token names an unknown one.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let slug = state(ctx)?.caller.org.clone();
        Ok(load(ctx, OrganizationSlug(slug)).await?.map(Organization))
    }

    /// The districts the token names (for district coordinators).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let mut out = Vec::new();
        for slug in &state(ctx)?.caller.districts {
            if let Some(d) = load(ctx, DistrictSlug(slug.clone())).await? {
                out.push(District(d));
            }
        }
        Ok(out)
    }
}

/// A municipality (kommun), e.g. Stockholms stad.
#[derive(Debug, Clone)]
pub struct Municipality(pub municipality::Model);

/// A municipality (kommun), e.g. Stockholms stad.
#[Object]
impl Municipality {
    /// The municipality's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Municipality, self.0.id)
    }
    /// Stable readable identifier, e.g. `stockholm`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Stockholms stad".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The municipality's districts.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<District>> {
        let args = page_args(
            ctx,
            encode(NodeType::Municipality, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, DistrictsOfMunicipality(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, District, args))
    }
    /// The city-wide strategies of the municipality.
    async fn strategies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Strategy>> {
        let rows = load_many(ctx, StrategiesOfMunicipality(self.0.id)).await?;
        Ok(rows.into_iter().map(Strategy).collect())
    }
}

/// A district (stadsdelsområde) of a municipality.
#[derive(Debug, Clone)]
pub struct District(pub district::Model);

/// A district (stadsdelsområde) of a municipality.
#[Object]
impl District {
    /// The district's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::District, self.0.id)
    }
    /// Stable readable identifier, e.g. `skarpnack`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Skarpnäck".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The municipality the district belongs to.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Municipality> {
        Ok(Municipality(
            load_required(ctx, MunicipalityId(self.0.municipality_id)).await?,
        ))
    }
    /// The organizations that serve the district.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let rows = load_many(ctx, OrganizationsOfDistrict(self.0.id)).await?;
        Ok(rows.into_iter().map(Organization).collect())
    }
    /// The district's collaboration areas (samverkansområden).
    async fn collaboration_areas(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CollaborationArea>> {
        let rows = load_many(ctx, AreasOfDistrict(self.0.id)).await?;
        Ok(rows.into_iter().map(CollaborationArea).collect())
    }
    /// The district's collaboration groups.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn collaboration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only groups of this kind.")] kind: Option<GroupKind>,
        #[graphql(desc = "Include archived groups.", default = false)] include_archived: bool,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<CollaborationGroup>> {
        let args = page_args(
            ctx,
            encode(NodeType::District, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let kind = kind.map(entity::enums::GroupKind::from);
        let rows: Vec<_> = load_many(ctx, GroupsOfDistrict(self.0.id))
            .await?
            .into_iter()
            .filter(|g| include_archived || g.archived_at.is_none())
            .filter(|g| kind.is_none_or(|k| g.kind == k))
            .collect();
        Ok(page_vec(rows, |r| r.id, CollaborationGroup, args))
    }
    /// The district's action plans.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn action_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<ActionPlan>> {
        let args = page_args(
            ctx,
            encode(NodeType::District, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActionPlansOfDistrict(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, ActionPlan, args))
    }
}

/// An organization taking part in the collaboration: an agency, a company, an
/// association.
#[derive(Debug, Clone)]
pub struct Organization(pub organization::Model);

/// An organization taking part in the collaboration: an agency, a company, an
/// association.
#[Object]
impl Organization {
    /// The organization's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Organization, self.0.id)
    }
    /// Stable readable identifier, e.g. `skarpnack-sdf`, `lpo-farsta`; tokens name it in
    /// their `org` claim.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Skarpnäcks stadsdelsförvaltning".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// Whether the caller may change the organization (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, |a| authz::admin(a, "")).await
    }
    /// The organization it belongs to (a local police area's region, a school's
    /// administration).
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.parent_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// Organizations that belong to this one.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let rows = load_many(ctx, ChildrenOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Organization).collect())
    }
    /// The districts it serves (empty for city-wide bodies).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let rows = load_many(ctx, DistrictsOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(District).collect())
    }
    /// Its seats in collaboration groups.
    async fn participations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Participation>> {
        let rows = load_many(ctx, ParticipationsOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Participation).collect())
    }
    /// Its commitments, in every district and group.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
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
            encode(NodeType::Organization, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, CommitmentsOfOrganization(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Commitment, args))
    }
    /// The activity responsibilities it carries.
    async fn responsibilities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Responsibility>> {
        let rows = load_many(ctx, ResponsibilitiesOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Responsibility).collect())
    }
}

/// A city-wide strategy that the districts' plans follow.
#[derive(Debug, Clone)]
pub struct Strategy(pub strategy::Model);

/// A city-wide strategy that the districts' plans follow.
#[Object]
impl Strategy {
    /// The strategy's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Strategy, self.0.id)
    }
    /// Stable readable identifier, e.g. `stockholm-2024-2026`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The strategy's title as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Summary, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// First year it covers.
    async fn start_year(&self) -> i32 {
        self.0.start_year
    }
    /// Last year it covers.
    async fn end_year(&self) -> i32 {
        self.0.end_year
    }
    /// The municipality whose strategy it is.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Municipality> {
        Ok(Municipality(
            load_required(ctx, MunicipalityId(self.0.municipality_id)).await?,
        ))
    }
    /// Its priority areas, in the strategy's order.
    async fn priority_areas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriorityArea>> {
        let mut rows = load_many(ctx, PriorityAreasOfStrategy(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(PriorityArea).collect())
    }
    /// The district action plans that follow it.
    async fn action_plans(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionPlan>> {
        let rows = load_many(ctx, ActionPlansOfStrategy(self.0.id)).await?;
        Ok(rows.into_iter().map(ActionPlan).collect())
    }
}

/// A priority area (prioriterat område) of a strategy.
#[derive(Debug, Clone)]
pub struct PriorityArea(pub priority_area::Model);

/// A priority area (prioriterat område) of a strategy.
#[Object]
impl PriorityArea {
    /// The priority area's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::PriorityArea, self.0.id)
    }
    /// Stable readable identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Strukturerad samverkan".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The section's opening text, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position within the strategy (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The strategy it belongs to.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Strategy> {
        Ok(Strategy(
            load_required(ctx, StrategyId(self.0.strategy_id)).await?,
        ))
    }
    /// Its focus areas, in the strategy's order.
    async fn focus_areas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FocusArea>> {
        let mut rows = load_many(ctx, FocusAreasOfPriorityArea(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(FocusArea).collect())
    }
    /// The activities under this priority area, in every district.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::PriorityArea, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfPriorityArea(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// A focus area (område) under a priority area.
#[derive(Debug, Clone)]
pub struct FocusArea(pub focus_area::Model);

/// A focus area (område) under a priority area.
#[Object]
impl FocusArea {
    /// The focus area's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::FocusArea, self.0.id)
    }
    /// Stable readable identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Samlad kompetens".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The section's opening text, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position within the priority area (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The priority area it belongs to.
    async fn priority_area(&self, ctx: &Context<'_>) -> async_graphql::Result<PriorityArea> {
        Ok(PriorityArea(
            load_required(ctx, PriorityAreaId(self.0.priority_area_id)).await?,
        ))
    }
    /// The activities under this focus area, in every district.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::FocusArea, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfFocusArea(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// A named method or programme (ABC, KOMET, MVP, SIG, …) from the method catalogue.
#[derive(Debug, Clone)]
pub struct Method(pub method::Model);

/// A named method or programme (ABC, KOMET, MVP, SIG, …) from the method catalogue.
#[Object]
impl Method {
    /// The method's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Method, self.0.id)
    }
    /// Stable readable identifier, e.g. `mvp`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Mentorer i våldsprevention".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Short form, e.g. "MVP".
    async fn abbreviation(&self) -> Option<&str> {
        self.0.abbreviation.as_deref()
    }
    /// Whether the caller may change the method (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, |a| authz::admin(a, "")).await
    }
    /// What the strategy says of it, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The activities that use it, in every district.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::Method, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfMethod(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// A district's action plan (lokal handlingsplan / åtgärdsplan) for a period.
#[derive(Debug, Clone)]
pub struct ActionPlan(pub action_plan::Model);

/// A district's action plan (lokal handlingsplan / åtgärdsplan) for a period.
#[Object]
impl ActionPlan {
    /// The plan's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::ActionPlan, self.0.id)
    }
    /// Stable readable identifier, e.g. `bromma-2019-2022`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The plan's title as written.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The plan's introduction, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// First year of the plan.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }
    /// Last year of the plan.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> super::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The district whose plan it is.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        Ok(District(
            load_required(ctx, DistrictId(self.0.district_id)).await?,
        ))
    }
    /// Whether the caller may change the plan and its rows.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let d = self.0.district_id;
        can(ctx, |a| authz::district(a, d, "")).await
    }
    /// The strategy it follows.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Strategy>> {
        match self.0.strategy_id {
            Some(id) => Ok(load(ctx, StrategyId(id)).await?.map(Strategy)),
            None => Ok(None),
        }
    }
    /// Its activities (rows), in the plan's order.
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::ActionPlan, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfPlan(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// One row of an action plan: what is done, why, by whom, when, and how it is followed
/// up.
#[derive(Debug, Clone)]
pub struct Activity(pub activity::Model);

/// One row of an action plan: what is done, why, by whom, when, and how it is followed
/// up.
#[Object]
impl Activity {
    /// The activity's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Activity, self.0.id)
    }
    /// Position in the plan (1 = first row).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Mål och nytta, as written.
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }
    /// Metoder och arbetssätt, as written.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The plan's whole "Ansvarig" cell, as written.
    async fn responsible_text(&self) -> Option<&str> {
        self.0.responsible_text.as_deref()
    }
    /// Tidsplan, as written (e.g. "2020-2022", "Löpande").
    async fn timeline(&self) -> Option<&str> {
        self.0.timeline.as_deref()
    }
    /// First year of the timeline, when it names one.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }
    /// Last year of the timeline, when it names one.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
    /// Uppföljning, as written (e.g. "T1, T2, VB").
    async fn follow_up_schedule(&self) -> Option<&str> {
        self.0.follow_up_schedule.as_deref()
    }
    /// The reporting points the schedule asks for.
    async fn follow_up_terms(&self) -> Vec<Term> {
        terms::decode(&self.0.follow_up_terms)
            .into_iter()
            .map(Term::from)
            .collect()
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> super::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// Whether the caller may change the row.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        can(ctx, |a| authz::district(a, plan.district_id, "")).await
    }
    /// Whether the caller may remove the row (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        self.viewer_can_update(ctx).await
    }
    /// Whether the caller may report its follow-ups.
    async fn viewer_can_report_follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        let responsible = responsible_organizations(ctx, self.0.id).await?;
        can(ctx, |a| {
            authz::follow_up(a, &responsible, plan.district_id, false)
        })
        .await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::Activity, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        history(ctx, "Activity", self.0.id, plan.district_id, args).await
    }
    /// The plan it is a row of.
    async fn action_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<ActionPlan> {
        Ok(ActionPlan(
            load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?,
        ))
    }
    /// The strategy's priority area it serves.
    async fn priority_area(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PriorityArea>> {
        match self.0.priority_area_id {
            Some(id) => Ok(load(ctx, PriorityAreaId(id)).await?.map(PriorityArea)),
            None => Ok(None),
        }
    }
    /// The strategy's focus area it serves.
    async fn focus_area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FocusArea>> {
        match self.0.focus_area_id {
            Some(id) => Ok(load(ctx, FocusAreaId(id)).await?.map(FocusArea)),
            None => Ok(None),
        }
    }
    /// The named methods it uses.
    async fn methods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Method>> {
        let rows = load_many(ctx, MethodsOfActivity(self.0.id)).await?;
        Ok(rows.into_iter().map(Method).collect())
    }
    /// Who carries it: organizations and role titles.
    async fn responsibilities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Responsibility>> {
        let mut rows = load_many(ctx, ResponsibilitiesOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(Responsibility).collect())
    }
    /// Its most recent follow-up (latest period), if any.
    async fn latest_follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FollowUp>> {
        let rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        Ok(rows
            .into_iter()
            .max_by_key(|r| (r.year, term_order(r.term)))
            .map(FollowUp))
    }
    /// Its status at each reported period, oldest first.
    async fn status_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<StatusAtPeriod>> {
        let mut rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.year, term_order(r.term)));
        Ok(rows
            .into_iter()
            .map(|r| StatusAtPeriod {
                period: ReportingPeriod {
                    year: r.year,
                    term: r.term.into(),
                },
                status: r.status.into(),
                as_of: r.as_of.map(Into::into),
            })
            .collect())
    }
    /// Its follow-ups, oldest period first.
    async fn follow_ups(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FollowUp>> {
        let mut rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.year, term_order(r.term)));
        Ok(rows.into_iter().map(FollowUp).collect())
    }
}

/// Order of terms within a year.
fn term_order(term: entity::enums::Term) -> u8 {
    match term {
        entity::enums::Term::T1 => 1,
        entity::enums::Term::T2 => 2,
        entity::enums::Term::Annual => 3,
    }
}

/// Who carries an activity: an organization and the role title within it (e.g.
/// "Stadsdelsförvaltningen: Preventionssamordnare", "Polis: Kommunpolis").
#[derive(Debug, Clone)]
pub struct Responsibility(pub responsibility::Model);

/// Who carries an activity: an organization and the role title within it (e.g.
/// "Stadsdelsförvaltningen: Preventionssamordnare", "Polis: Kommunpolis").
#[Object]
impl Responsibility {
    /// The responsibility's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Responsibility, self.0.id)
    }
    /// The role title(s), as written.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// The responsible organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The activity.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Activity> {
        Ok(Activity(
            load_required(ctx, ActivityId(self.0.activity_id)).await?,
        ))
    }
}

/// A follow-up of an activity for one reporting period: status and effects.
#[derive(Debug, Clone)]
pub struct FollowUp(pub follow_up::Model);

/// A follow-up of an activity for one reporting period: status and effects.
#[Object]
impl FollowUp {
    /// The follow-up's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::FollowUp, self.0.id)
    }
    /// The reporting period it covers.
    async fn period(&self) -> ReportingPeriod {
        ReportingPeriod {
            year: self.0.year,
            term: self.0.term.into(),
        }
    }
    /// The reported status.
    async fn status(&self) -> FollowUpStatus {
        self.0.status.into()
    }
    /// Effekter och resultat, as written.
    async fn effects(&self) -> Option<&str> {
        self.0.effects.as_deref()
    }
    /// The date the status describes (e.g. 2021-08-31 for T2).
    async fn as_of(&self) -> Option<super::scalars::Date> {
        self.0.as_of.map(Into::into)
    }
    /// Whether the period has been submitted (locked follow-ups change only by an
    /// admin).
    async fn locked(&self) -> bool {
        self.0.locked
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> super::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The token subject who reported it, when reported through the API.
    async fn reported_by_sub(&self) -> Option<&str> {
        self.0.reported_by_sub.as_deref()
    }
    /// The organization that reported it.
    async fn reported_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.reported_by_organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// Whether the caller may change this report (a locked one: admins only).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let activity = load_required(ctx, ActivityId(self.0.activity_id)).await?;
        let plan = load_required(ctx, ActionPlanId(activity.action_plan_id)).await?;
        let responsible = responsible_organizations(ctx, activity.id).await?;
        let locked = self.0.locked;
        can(ctx, |a| {
            authz::follow_up(a, &responsible, plan.district_id, locked)
        })
        .await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::FollowUp, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let activity = load_required(ctx, ActivityId(self.0.activity_id)).await?;
        let plan = load_required(ctx, ActionPlanId(activity.action_plan_id)).await?;
        history(ctx, "FollowUp", self.0.id, plan.district_id, args).await
    }
    /// The activity followed up.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Activity> {
        Ok(Activity(
            load_required(ctx, ActivityId(self.0.activity_id)).await?,
        ))
    }
}

/// A district's collaboration area (samverkansområde), e.g. "Skolan som brottsplats".
#[derive(Debug, Clone)]
pub struct CollaborationArea(pub collaboration_area::Model);

/// A district's collaboration area (samverkansområde), e.g. "Skolan som brottsplats".
#[Object]
impl CollaborationArea {
    /// The area's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::CollaborationArea, self.0.id)
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
    async fn id(&self) -> ID {
        encode(NodeType::CollaborationGroup, self.0.id)
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
    /// What kind of group it is.
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
    async fn term_ends_on(&self) -> Option<super::scalars::Date> {
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
    async fn archived_at(&self) -> Option<super::scalars::DateTime> {
        self.0.archived_at.map(Into::into)
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> super::scalars::DateTime {
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
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
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
}

/// An organization's seat in a collaboration group: its contact, its other participants
/// and whether it convenes.
#[derive(Debug, Clone)]
pub struct Participation(pub participation::Model);

/// An organization's seat in a collaboration group: its contact, its other participants
/// and whether it convenes.
#[Object]
impl Participation {
    /// The participation's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Participation, self.0.id)
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
            CommitmentsOfSeat {
                group_id: self.0.group_id,
                organization_id: self.0.organization_id,
            },
        )
        .await?;
        Ok(rows.into_iter().map(Commitment).collect())
    }
}

/// What one organization has promised in one collaboration group (X:s åtagande). Only
/// that organization (or an admin) edits it; every edit raises its version.
#[derive(Debug, Clone)]
pub struct Commitment(pub commitment::Model);

/// What one organization has promised in one collaboration group (X:s åtagande). Only
/// that organization (or an admin) edits it; every edit raises its version.
#[Object]
impl Commitment {
    /// The commitment's global ID.
    async fn id(&self) -> ID {
        encode(NodeType::Commitment, self.0.id)
    }
    /// The promise, as written.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Version, raised by every edit; edits must name the version they were based on.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> super::scalars::DateTime {
        self.0.created_at.into()
    }
    /// When it was last changed.
    async fn updated_at(&self) -> super::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The token subject who last changed it.
    async fn updated_by(&self) -> Option<&str> {
        self.0.updated_by.as_deref()
    }
    /// The organization that owns the promise.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The group it was made in.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<CollaborationGroup> {
        Ok(CollaborationGroup(
            load_required(ctx, CollaborationGroupId(self.0.group_id)).await?,
        ))
    }
    /// Whether the caller may change its text (only its own organization, or an admin).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let owner = self.0.organization_id;
        can(ctx, |a| authz::commitment(a, owner, "")).await
    }
    /// Whether the caller may remove it (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let owner = self.0.organization_id;
        can(ctx, |a| authz::commitment(a, owner, "")).await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "super::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::Commitment, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let group = load_required(ctx, CollaborationGroupId(self.0.group_id)).await?;
        history(ctx, "Commitment", self.0.id, group.district_id, args).await
    }
}

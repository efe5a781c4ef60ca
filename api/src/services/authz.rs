//! Who may change what: every rule of the role table, in one place.
//!
//! | role | may change |
//! |---|---|
//! | `VIEWER` | nothing |
//! | `ORG_EDITOR` | its own organization's commitments and participations; follow-ups of activities its organization is responsible for; the action plans its organization owns (a facknämnd's own plans), their activities and follow-ups |
//! | `DISTRICT_COORDINATOR` | as `ORG_EDITOR` for its own organization, plus its districts' action plans, activities, collaboration areas, groups and who participates — never another organization's commitments |
//! | `MUNICIPALITY_ADMIN` | what `ADMIN` may, within the municipalities its token names (`municipalities` claim, slugs): their districts' plans, activities, collaboration areas, groups, seats and commitments (of any organization, a police area serving several municipalities included), follow-ups and group follow-ups (locked ones too) and the audit log of those districts; the plans of the organizations working there (serving one of their districts) that are tied to no district; situation pictures covering only their districts, and the city-wide ones of organizations working there; the strategies and districts of its municipalities and the obligations their strategies set; the organizations working there (a new one must serve only districts of its municipalities; a change to the districts an organization serves may add or remove only districts of its municipalities) |
//! | `ADMIN` | the national role, for the few who need it: everything, everywhere, including methods, indicators and organizations serving no district |
//!
//! Municipalities: an organization works in a municipality when it serves one of its
//! districts (`organization_district`); a police area or another body that serves
//! districts of several municipalities works in each, and its seats, commitments and
//! plans in each municipality's districts are administered by that municipality's admins
//! (and its own editors, as today). A body serving no district (a city-wide facknämnd)
//! belongs to no municipality: only `ADMIN` administers it and its plans tied to no
//! district; its plans for a district follow that district. Methods and indicators are a
//! national catalogue: `ADMIN` only. A token naming an unknown municipality slug acts
//! nowhere by it.
//!
//! The city's cycle: an organization's editors keep its own situation pictures (lägesbilder)
//! and their cause analyses; a coordinator those covering only districts they coordinate;
//! admins keep the obligations a strategy sets.
//!
//! Each rule is a plain function of the [`Actor`] and the facts about the thing to be
//! changed (who owns it, which district it lies in). Mutations call them before they
//! write; the `viewerCan…` fields call the same functions, so a UI sees exactly what the
//! server will allow. A denial becomes `FORBIDDEN` with a message naming the rule; the
//! GraphQL layer logs every denied attempt.

use crate::auth::{Caller, Role};
use crate::error::AppError;

/// The caller of a request, with their organization and districts resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's subject.
    pub sub: String,
    /// The token's organization slug.
    pub org_slug: String,
    /// The organization's id; `None` when the token names an unknown organization (such
    /// a caller may read but can act for no organization).
    pub org_id: Option<i32>,
    /// The token's roles.
    pub roles: Vec<Role>,
    /// Ids of the districts the token names.
    pub district_ids: Vec<i32>,
    /// Where the actor's organization works: the districts it serves, or the whole city.
    /// [`Actor::new`] starts from [`Serves::Districts`] with none (the organization's own
    /// plans and pictures tied to no district only) until [`Actor::serving`] says more.
    pub serves: Serves,
    /// What a `MUNICIPALITY_ADMIN` administers: its token's municipalities resolved to
    /// ids, with their districts and the organizations working there. [`Actor::new`]
    /// starts from nothing until [`Actor::administering`] says more.
    pub administers: Administers,
}

/// The municipalities a `MUNICIPALITY_ADMIN` administers, resolved once per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Administers {
    /// The municipalities the token names that exist.
    pub municipalities: Vec<i32>,
    /// Their districts.
    pub districts: Vec<i32>,
    /// The organizations serving one of those districts.
    pub organizations: Vec<i32>,
}

/// Where an organization works (its `organization_district` rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serves {
    /// A city-wide body (a facknämnd's administration, a city-wide company): no rows.
    City,
    /// The districts it serves (a district administration its own, a police area a few).
    Districts(Vec<i32>),
}

impl Actor {
    /// An actor from a caller and the ids their slugs resolve to.
    pub fn new(caller: &Caller, org_id: Option<i32>, district_ids: Vec<i32>) -> Self {
        Self {
            sub: caller.sub.clone(),
            org_slug: caller.org.clone(),
            org_id,
            roles: caller.roles.clone(),
            district_ids,
            serves: Serves::Districts(Vec::new()),
            administers: Administers::default(),
        }
    }

    /// The same actor, administering `administers` (when it is a `MUNICIPALITY_ADMIN`).
    #[must_use]
    pub fn administering(mut self, administers: Administers) -> Self {
        self.administers = administers;
        self
    }

    /// The same actor, its organization serving `serves`.
    #[must_use]
    pub fn serving(mut self, serves: Serves) -> Self {
        self.serves = serves;
        self
    }

    /// Whether the actor's organization works in `district_id`.
    fn org_serves(&self, district_id: i32) -> bool {
        match &self.serves {
            Serves::City => true,
            Serves::Districts(ids) => ids.contains(&district_id),
        }
    }

    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the actor is a national admin (`ADMIN`, everywhere).
    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Whether the actor is a municipality admin (of any municipality).
    pub fn is_municipality_admin(&self) -> bool {
        self.has(Role::MunicipalityAdmin)
    }

    /// Whether the actor administers `district_id`: a national admin, or an admin of
    /// its municipality.
    pub fn administers_district(&self, district_id: i32) -> bool {
        self.is_admin()
            || (self.is_municipality_admin() && self.administers.districts.contains(&district_id))
    }

    /// Whether the actor administers the organization `org_id`: a national admin, or an
    /// admin of a municipality it works in.
    pub fn administers_organization(&self, org_id: i32) -> bool {
        self.is_admin()
            || (self.is_municipality_admin() && self.administers.organizations.contains(&org_id))
    }

    /// Whether the actor administers the municipality `municipality_id`.
    pub fn administers_municipality(&self, municipality_id: i32) -> bool {
        self.is_admin()
            || (self.is_municipality_admin()
                && self.administers.municipalities.contains(&municipality_id))
    }

    /// Whether the actor edits on behalf of `org_id` (an ORG_EDITOR or a
    /// DISTRICT_COORDINATOR of that organization).
    fn edits_for(&self, org_id: i32) -> bool {
        self.org_id == Some(org_id)
            && (self.has(Role::OrgEditor) || self.has(Role::DistrictCoordinator))
    }

    /// Whether the actor coordinates `district_id`.
    fn coordinates(&self, district_id: i32) -> bool {
        self.has(Role::DistrictCoordinator) && self.district_ids.contains(&district_id)
    }
}

/// A denial: the rule that denied the change, for a person to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        AppError::Forbidden(d.0)
    }
}

fn deny(_actor: &Actor, rule: String) -> Denied {
    Denied(rule)
}

/// Create, edit or delete a commitment owned by `owner` (id and name) in a group of
/// `group_district`: only the owning organization's editors and coordinators, an admin
/// of the group's municipality, or a national admin.
pub fn commitment(
    actor: &Actor,
    owner_id: i32,
    owner_name: &str,
    group_district: i32,
) -> Result<(), Denied> {
    if actor.administers_district(group_district) || actor.edits_for(owner_id) {
        return Ok(());
    }
    Err(deny(
        actor,
        format!(
            "commitment belongs to {owner_name}: only its own organization or an admin of the group's municipality may change it"
        ),
    ))
}

/// Join, edit or leave a group's seat of organization `org` in a group of
/// `group_district`: the organization itself, a coordinator of the district, or an
/// admin of its municipality.
pub fn participation(
    actor: &Actor,
    org_id: i32,
    org_name: &str,
    group_district: i32,
) -> Result<(), Denied> {
    if actor.administers_district(group_district)
        || actor.edits_for(org_id)
        || actor.coordinates(group_district)
    {
        return Ok(());
    }
    Err(deny(
        actor,
        format!(
            "the seat belongs to {org_name}: only that organization, a coordinator of the group's district or an admin may change it"
        ),
    ))
}

/// Report (create or change) a follow-up of an activity that `responsible` organizations
/// carry, in a plan of `plan_district`; a `locked` follow-up changes only by an admin
/// (of the plan's municipality, or a national one).
pub fn follow_up(
    actor: &Actor,
    responsible: &[i32],
    plan: PlanScope,
    locked: bool,
) -> Result<(), Denied> {
    if plan.administered_by(actor) {
        return Ok(());
    }
    if locked {
        return Err(deny(
            actor,
            "the follow-up has been submitted and is locked: only an admin of the plan's municipality may change it".into(),
        ));
    }
    if responsible.iter().any(|org| actor.edits_for(*org)) || plan.editable_by(actor) {
        return Ok(());
    }
    Err(deny(
        actor,
        "follow-ups are reported by the organizations responsible for the activity, the plan's owner, a coordinator of its district or an admin".into(),
    ))
}

/// Whether `actor` may change the locked (submitted) follow-ups of the plan of `plan`:
/// the admins who administer it ([`follow_up`]'s rule for a locked follow-up; the import
/// checks it per row).
pub fn changes_locked_follow_ups(actor: &Actor, plan: PlanScope) -> bool {
    plan.administered_by(actor)
}

/// Whose an action plan is: the body that owns it and the district it is for (none for a
/// body's own plan not tied to one district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanScope {
    /// The owning organization (a district administration or a facknämnd's administration).
    pub owner: Option<i32>,
    /// The district the plan is for.
    pub district: Option<i32>,
}

impl PlanScope {
    /// A national admin; an admin of the plan's district's municipality; for a plan tied
    /// to no district, an admin of a municipality its owner works in.
    fn administered_by(self, actor: &Actor) -> bool {
        match (self.district, self.owner) {
            (Some(d), _) => actor.administers_district(d),
            (None, Some(o)) => actor.administers_organization(o),
            (None, None) => actor.is_admin(),
        }
    }

    /// A coordinator of the plan's district, or the owner's editors when the plan is
    /// tied to no district or to one their organization serves.
    fn editable_by(self, actor: &Actor) -> bool {
        self.district.is_some_and(|d| actor.coordinates(d))
            || (self.owner.is_some_and(|o| actor.edits_for(o))
                && self.district.is_none_or(|d| actor.org_serves(d)))
    }
}

/// Create, change or delete an action plan and its activities: a coordinator of the plan's
/// district, the owning body's own editors (for a plan tied to no district, or to a
/// district their organization serves — a city-wide body serves every district), or an
/// admin. `name` names the plan's owner or district for the message.
pub fn plan(actor: &Actor, scope: PlanScope, name: &str) -> Result<(), Denied> {
    if scope.administered_by(actor) || scope.editable_by(actor) {
        return Ok(());
    }
    Err(deny(
        actor,
        format!(
            "only a coordinator of the plan's district, the editors of its owner ({name}) in a district it serves, or an admin may change the plans of {name}"
        ),
    ))
}

/// Manage a district's plans, activities, collaboration areas and groups, and submit its
/// follow-ups: a coordinator of that district or an admin of its municipality.
pub fn district(actor: &Actor, district_id: i32, district_name: &str) -> Result<(), Denied> {
    if actor.administers_district(district_id) || actor.coordinates(district_id) {
        return Ok(());
    }
    Err(deny(
        actor,
        format!(
            "only a coordinator of {district_name} or an admin may change its plans and groups"
        ),
    ))
}

/// The national catalogue (methods) and organizations serving no district: national
/// admins only.
pub fn admin(actor: &Actor, what: &str) -> Result<(), Denied> {
    if actor.is_admin() {
        return Ok(());
    }
    Err(deny(
        actor,
        format!("only a national admin may change {what}"),
    ))
}

/// Map the identity provider's groups to organizations: national admins only (a
/// mapping decides whom a token acts for, in any municipality).
pub fn provider_groups(actor: &Actor) -> Result<(), Denied> {
    admin(
        actor,
        "which organization the identity provider's groups act for",
    )
}

/// Add a district to, or a strategy of, the municipality `municipality_id`: its admins
/// or a national admin.
pub fn municipality(actor: &Actor, municipality_id: i32, what: &str) -> Result<(), Denied> {
    if actor.administers_municipality(municipality_id) {
        return Ok(());
    }
    Err(deny(
        actor,
        format!("only an admin of the municipality may change its {what}"),
    ))
}

/// Add an organization serving `districts`: a national admin; an admin of the
/// municipalities of every district it serves, when it serves at least one (a body
/// serving no district belongs to no municipality).
pub fn new_organization(actor: &Actor, districts: &[i32]) -> Result<(), Denied> {
    if actor.is_admin()
        || (!districts.is_empty() && districts.iter().all(|d| actor.administers_district(*d)))
    {
        return Ok(());
    }
    Err(deny(
        actor,
        "only a national admin may add an organization serving no district or districts of several municipalities it does not administer".into(),
    ))
}

/// Change the organization `org_id`, from serving `before` to serving `after`
/// (districts): a national admin; an admin of a municipality it works in, adding or
/// removing only districts of its municipalities.
pub fn organization(
    actor: &Actor,
    org_id: i32,
    before: &[i32],
    after: &[i32],
) -> Result<(), Denied> {
    let changed = before
        .iter()
        .filter(|d| !after.contains(d))
        .chain(after.iter().filter(|d| !before.contains(d)));
    if actor.is_admin()
        || (actor.administers_organization(org_id)
            && changed.into_iter().all(|d| actor.administers_district(*d)))
    {
        return Ok(());
    }
    Err(deny(
        actor,
        "an organization is changed by an admin of a municipality it works in (its own districts only) or a national admin".into(),
    ))
}

/// Read the audit log of `district` (`None`: events outside any district): national
/// admins, admins of its municipality and coordinators of that district.
pub fn audit_read(actor: &Actor, district: Option<i32>) -> bool {
    actor.is_admin()
        || district.is_some_and(|d| actor.administers_district(d) || actor.coordinates(d))
}

// --- Issue 14: indicators and measurements (helper `targets`) ---------------------------

/// Indicators and their measurements: national admins only. (Targets follow the rule of the plan
/// that sets them: [`plan`].)
pub fn indicators(actor: &Actor) -> Result<(), Denied> {
    if actor.is_admin() {
        return Ok(());
    }
    Err(deny(
        actor,
        "only an admin may change indicators and their measurements".into(),
    ))
}

// --- Groups everywhere (issue 14, item 5) ---------------------------------------------

/// Report (create or change) a follow-up of a collaboration group in `group_district`
/// whose seats are held by `seats` (organization ids): the organizations that have a seat
/// in the group, a coordinator of the group's district, or an admin of its municipality;
/// a `locked` follow-up changes only by an admin.
pub fn group_follow_up(
    actor: &Actor,
    seats: &[i32],
    group_district: i32,
    locked: bool,
) -> Result<(), Denied> {
    if actor.administers_district(group_district) {
        return Ok(());
    }
    if locked {
        return Err(deny(
            actor,
            "the group's follow-up has been submitted and is locked: only an admin of its municipality may change it"
                .into(),
        ));
    }
    if seats.iter().any(|org| actor.edits_for(*org)) || actor.coordinates(group_district) {
        return Ok(());
    }
    Err(deny(
        actor,
        "a group's follow-ups are reported by the organizations with a seat in it, a coordinator of its district or an admin".into(),
    ))
}

// --- The city's cycle (issue 14): obligations, situation pictures, cause analyses -----

/// Keep the obligations a strategy of `municipality_id` sets (create, change, remove):
/// admins of that municipality or a national admin.
pub fn obligations(actor: &Actor, municipality_id: i32) -> Result<(), Denied> {
    municipality(actor, municipality_id, "obligations a strategy sets")
}

/// Create, change or remove a situation picture (and its cause analysis) owned by `owner`
/// (id and name) covering `districts`, or the whole city when `city_wide`: a
/// coordinator of every district it covers, the owning body's own editors when their
/// organization serves every district it covers (a city-wide body serves all), an
/// admin of the municipalities of every district it covers, or a national admin; a
/// city-wide picture only the owner's editors or an admin of a municipality the owner
/// works in.
pub fn situation_picture(
    actor: &Actor,
    owner: i32,
    districts: &[i32],
    city_wide: bool,
    owner_name: &str,
) -> Result<(), Denied> {
    let coordinates_all =
        !city_wide && !districts.is_empty() && districts.iter().all(|d| actor.coordinates(*d));
    let owner_serves_all = city_wide || districts.iter().all(|d| actor.org_serves(*d));
    let administered = if city_wide || districts.is_empty() {
        actor.administers_organization(owner)
    } else {
        districts.iter().all(|d| actor.administers_district(*d))
    };
    if administered || (actor.edits_for(owner) && owner_serves_all) || coordinates_all {
        return Ok(());
    }
    Err(deny(
        actor,
        if city_wide {
            format!(
                "a city-wide situation picture of {owner_name} is changed only by {owner_name}'s editors or an admin"
            )
        } else {
            format!(
                "a situation picture of {owner_name} is changed only by {owner_name}'s editors when it serves every district the picture covers, a coordinator of every district it covers, or an admin"
            )
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role], org: i32, districts: &[i32]) -> Actor {
        Actor {
            sub: "t".into(),
            org_slug: "o".into(),
            org_id: Some(org),
            roles: roles.to_vec(),
            district_ids: districts.to_vec(),
            serves: Serves::City,
            administers: Administers::default(),
        }
    }

    #[test]
    fn commitments_belong_to_their_organization() {
        let police = actor(&[Role::OrgEditor], 1, &[]);
        assert!(commitment(&police, 1, "Polisen", 7).is_ok());
        let err = commitment(&police, 2, "Utbildningsförvaltningen", 7).unwrap_err();
        assert!(err.0.contains("Utbildningsförvaltningen"));
        // A coordinator never edits another organization's commitment, even in its district.
        let coordinator = actor(&[Role::DistrictCoordinator], 3, &[7]);
        assert!(commitment(&coordinator, 2, "x", 7).is_err());
        assert!(commitment(&coordinator, 3, "x", 7).is_ok());
        assert!(commitment(&actor(&[Role::Admin], 9, &[]), 2, "x", 7).is_ok());
        assert!(commitment(&actor(&[Role::Viewer], 1, &[]), 1, "x", 7).is_err());
    }

    #[test]
    fn coordinators_run_their_districts_only() {
        let c = actor(&[Role::DistrictCoordinator], 3, &[7]);
        assert!(district(&c, 7, "Skarpnäck").is_ok());
        assert!(district(&c, 8, "Bromma").is_err());
        assert!(participation(&c, 99, "MTR", 7).is_ok());
        assert!(participation(&c, 99, "MTR", 8).is_err());
        assert!(audit_read(&c, Some(7)) && !audit_read(&c, Some(8)) && !audit_read(&c, None));
    }

    #[test]
    fn plans_belong_to_their_district_coordinators_and_their_owner() {
        let board = PlanScope {
            owner: Some(40),
            district: None,
        };
        // A facknämnd's own editors keep its plan; no district coordinator does.
        assert!(plan(&actor(&[Role::OrgEditor], 40, &[]), board, "x").is_ok());
        assert!(plan(&actor(&[Role::DistrictCoordinator], 3, &[7]), board, "x").is_err());
        assert!(plan(&actor(&[Role::OrgEditor], 41, &[]), board, "x").is_err());
        assert!(plan(&actor(&[Role::Viewer], 40, &[]), board, "x").is_err());
        let district = PlanScope {
            owner: Some(3),
            district: Some(7),
        };
        assert!(plan(&actor(&[Role::DistrictCoordinator], 9, &[7]), district, "x").is_ok());
        assert!(plan(&actor(&[Role::DistrictCoordinator], 9, &[8]), district, "x").is_err());
        assert!(plan(&actor(&[Role::Admin], 1, &[]), board, "x").is_ok());
    }

    #[test]
    fn situation_pictures_belong_to_their_body_and_their_districts_coordinators() {
        let sdf = actor(&[Role::OrgEditor], 3, &[]);
        assert!(situation_picture(&sdf, 3, &[7], false, "x").is_ok());
        assert!(situation_picture(&sdf, 3, &[], true, "x").is_ok());
        assert!(situation_picture(&sdf, 4, &[7], false, "x").is_err());
        let coordinator = actor(&[Role::DistrictCoordinator], 9, &[7, 8]);
        assert!(situation_picture(&coordinator, 3, &[7, 8], false, "x").is_ok());
        // Every district it covers, and never a city-wide one of another body.
        assert!(situation_picture(&coordinator, 3, &[7, 10], false, "x").is_err());
        assert!(situation_picture(&coordinator, 3, &[], true, "x").is_err());
        assert!(situation_picture(&actor(&[Role::Viewer], 3, &[]), 3, &[7], false, "x").is_err());
        assert!(situation_picture(&actor(&[Role::Admin], 1, &[]), 3, &[], true, "x").is_ok());
        assert!(obligations(&sdf, 1).is_err());
        assert!(obligations(&actor(&[Role::Admin], 1, &[]), 1).is_ok());
    }

    #[test]
    fn a_bodys_editors_act_only_in_the_districts_it_serves() {
        // Skarpnäck's administration (3) serves Skarpnäck (7), not Bromma (8).
        let sdf = actor(&[Role::OrgEditor], 3, &[]).serving(Serves::Districts(vec![7]));
        let own = |district| PlanScope {
            owner: Some(3),
            district,
        };
        assert!(plan(&sdf, own(Some(7)), "x").is_ok());
        assert!(plan(&sdf, own(None), "x").is_ok());
        assert!(plan(&sdf, own(Some(8)), "x").is_err());
        assert!(situation_picture(&sdf, 3, &[7], false, "x").is_ok());
        assert!(situation_picture(&sdf, 3, &[7, 8], false, "x").is_err());
        assert!(situation_picture(&sdf, 3, &[], true, "x").is_ok());
        // The owner's follow-ups follow the same line.
        assert!(follow_up(&sdf, &[], own(Some(7)), false).is_ok());
        assert!(follow_up(&sdf, &[], own(Some(8)), false).is_err());
        // A city-wide body serves every district; a coordinator is not bound by it.
        let board = actor(&[Role::OrgEditor], 40, &[]);
        assert!(
            plan(
                &board,
                PlanScope {
                    owner: Some(40),
                    district: Some(8)
                },
                "x"
            )
            .is_ok()
        );
        let coordinator =
            actor(&[Role::DistrictCoordinator], 3, &[8]).serving(Serves::Districts(vec![7]));
        assert!(plan(&coordinator, own(Some(8)), "x").is_ok());
        // Until it is told, an actor's organization serves no district.
        let fresh = Actor {
            serves: Serves::Districts(Vec::new()),
            ..sdf
        };
        assert!(plan(&fresh, own(Some(7)), "x").is_err());
        assert!(plan(&fresh, own(None), "x").is_ok());
    }

    #[test]
    fn follow_ups_by_responsible_organizations_and_locked_for_admins() {
        let editor = actor(&[Role::OrgEditor], 1, &[]);
        let scope = PlanScope {
            owner: Some(3),
            district: Some(7),
        };
        assert!(follow_up(&editor, &[1, 2], scope, false).is_ok());
        assert!(follow_up(&editor, &[2], scope, false).is_err());
        assert!(follow_up(&editor, &[1], scope, true).is_err());
        assert!(follow_up(&actor(&[Role::Admin], 5, &[]), &[1], scope, true).is_ok());
        // The plan's owner reports for its own plan.
        assert!(follow_up(&actor(&[Role::OrgEditor], 3, &[]), &[2], scope, false).is_ok());
        assert!(admin(&editor, "methods").is_err());
    }

    #[test]
    fn group_follow_ups_by_seats_and_coordinators_and_locked_for_admins() {
        let seated = actor(&[Role::OrgEditor], 1, &[]);
        assert!(group_follow_up(&seated, &[1, 2], 7, false).is_ok());
        assert!(group_follow_up(&seated, &[2], 7, false).is_err());
        assert!(group_follow_up(&seated, &[1], 7, true).is_err());
        let coordinator = actor(&[Role::DistrictCoordinator], 3, &[7]);
        assert!(group_follow_up(&coordinator, &[], 7, false).is_ok());
        assert!(group_follow_up(&coordinator, &[], 8, false).is_err());
        assert!(group_follow_up(&coordinator, &[], 7, true).is_err());
        assert!(group_follow_up(&actor(&[Role::Admin], 5, &[]), &[], 7, true).is_ok());
        assert!(group_follow_up(&actor(&[Role::Viewer], 1, &[]), &[1], 7, false).is_err());
    }

    /// An admin of municipality 1 (districts 7 and 8; organizations 3 and 5 work there),
    /// acting for organization 50.
    fn municipal(roles: &[Role]) -> Actor {
        actor(roles, 50, &[]).administering(Administers {
            municipalities: vec![1],
            districts: vec![7, 8],
            organizations: vec![3, 5],
        })
    }

    #[test]
    fn a_municipality_admin_administers_its_municipality_only() {
        let m = municipal(&[Role::MunicipalityAdmin]);
        // Its districts: plans, groups, seats and commitments of any organization.
        assert!(district(&m, 7, "x").is_ok());
        assert!(district(&m, 9, "x").is_err());
        assert!(participation(&m, 99, "x", 8).is_ok());
        assert!(participation(&m, 99, "x", 9).is_err());
        assert!(commitment(&m, 99, "x", 7).is_ok());
        assert!(commitment(&m, 99, "x", 9).is_err());
        let in_district = |d| PlanScope {
            owner: Some(99),
            district: Some(d),
        };
        assert!(plan(&m, in_district(7), "x").is_ok());
        assert!(plan(&m, in_district(9), "x").is_err());
        // Locked follow-ups too, in its municipality only.
        assert!(follow_up(&m, &[], in_district(7), true).is_ok());
        assert!(follow_up(&m, &[], in_district(9), true).is_err());
        assert!(group_follow_up(&m, &[], 8, true).is_ok());
        assert!(group_follow_up(&m, &[], 9, true).is_err());
        // A body's plan tied to no district: when the body works in its municipality.
        let body = |o| PlanScope {
            owner: Some(o),
            district: None,
        };
        assert!(plan(&m, body(3), "x").is_ok());
        assert!(plan(&m, body(40), "x").is_err());
        // Situation pictures covering only its districts; city-wide ones of its bodies.
        assert!(situation_picture(&m, 99, &[7, 8], false, "x").is_ok());
        assert!(situation_picture(&m, 99, &[7, 9], false, "x").is_err());
        assert!(situation_picture(&m, 3, &[], true, "x").is_ok());
        assert!(situation_picture(&m, 40, &[], true, "x").is_err());
        // Its municipality's strategies, districts and obligations.
        assert!(municipality(&m, 1, "districts").is_ok());
        assert!(municipality(&m, 2, "districts").is_err());
        assert!(obligations(&m, 1).is_ok());
        assert!(obligations(&m, 2).is_err());
        // Its audit log.
        assert!(audit_read(&m, Some(7)) && !audit_read(&m, Some(9)) && !audit_read(&m, None));
        // The national catalogue stays with national admins.
        assert!(admin(&m, "methods").is_err());
        assert!(indicators(&m).is_err());
    }

    #[test]
    fn a_municipality_admin_keeps_the_organizations_working_there() {
        let m = municipal(&[Role::MunicipalityAdmin]);
        assert!(new_organization(&m, &[7]).is_ok());
        assert!(new_organization(&m, &[7, 9]).is_err());
        // A body serving no district belongs to no municipality.
        assert!(new_organization(&m, &[]).is_err());
        assert!(organization(&m, 3, &[7], &[7]).is_ok());
        assert!(organization(&m, 3, &[7], &[7, 8]).is_ok());
        // A police area serving 7 and 9 (another municipality's): its own districts only.
        assert!(organization(&m, 5, &[7, 9], &[9]).is_ok());
        assert!(organization(&m, 5, &[7, 9], &[7]).is_err());
        assert!(organization(&m, 40, &[], &[]).is_err());
        let national = actor(&[Role::Admin], 1, &[]);
        assert!(new_organization(&national, &[]).is_ok());
        assert!(organization(&national, 40, &[], &[9]).is_ok());
        assert!(municipality(&national, 2, "strategies").is_ok());
    }

    #[test]
    fn administering_needs_the_role_and_a_known_municipality() {
        // The resolved municipalities mean nothing without the role…
        let editor = municipal(&[Role::OrgEditor]);
        assert!(district(&editor, 7, "x").is_err());
        assert!(commitment(&editor, 99, "x", 7).is_err());
        assert!(municipality(&editor, 1, "districts").is_err());
        // …and a token naming only unknown municipalities acts nowhere.
        let nowhere = actor(&[Role::MunicipalityAdmin], 50, &[]);
        assert!(district(&nowhere, 7, "x").is_err());
        assert!(plan(&nowhere, PlanScope::default(), "x").is_err());
        assert!(new_organization(&nowhere, &[7]).is_err());
        assert!(!audit_read(&nowhere, Some(7)));
    }
}

//! Matching what a file writes to the catalogue: priority and focus areas, methods and
//! organizations. Pure functions over lists loaded once per import.

use entity::enums::OrganizationKind;

use super::{key, words};

/// How a name matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match<T> {
    /// Exactly (by [`key`]: case, spaces and punctuation aside).
    Exact(T),
    /// Approximately: the same words but for Swedish endings or "samt"/"och"
    /// ("Inskrivningsgraden i förskola samt skolnärvaro" → "Inskrivningsgrad i förskola och
    /// skolnärvaro"). Taken, and reported.
    Approximate(T),
    /// Several entries match equally: their names.
    Ambiguous(Vec<String>),
    /// Nothing matches.
    None,
}

/// Whether two words are the same but for an ending ("graden"/"grad",
/// "utövningen"/"utövning") or are "och"/"samt"/"&".
fn similar_word(a: &str, b: &str) -> bool {
    let and = |w: &str| matches!(w, "och" | "samt" | "&" | "o");
    if a == b || (and(a) && and(b)) {
        return true;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    let extra = long.chars().count() - short.chars().count();
    short.chars().count() >= 4 && extra <= 3 && long.starts_with(short)
}

/// Match `text` to one of `candidates` (each: a value and its names): exactly by any
/// name's [`key`], else approximately word by word.
pub fn match_name<T: Clone>(text: &str, candidates: &[(T, Vec<String>)]) -> Match<T> {
    let k = key(text);
    if k.is_empty() {
        return Match::None;
    }
    let exact: Vec<&(T, Vec<String>)> = candidates
        .iter()
        .filter(|(_, names)| names.iter().any(|n| key(n) == k))
        .collect();
    match exact.len() {
        1 => return Match::Exact(exact[0].0.clone()),
        0 => {}
        _ => {
            return Match::Ambiguous(exact.iter().map(|(_, n)| n[0].clone()).collect());
        }
    }
    let w = words(text);
    let approximate: Vec<&(T, Vec<String>)> = candidates
        .iter()
        .filter(|(_, names)| {
            names.iter().any(|n| {
                let nw = words(n);
                nw.len() == w.len() && nw.iter().zip(&w).all(|(a, b)| similar_word(a, b))
            })
        })
        .collect();
    match approximate.len() {
        1 => Match::Approximate(approximate[0].0.clone()),
        0 => Match::None,
        _ => Match::Ambiguous(approximate.iter().map(|(_, n)| n[0].clone()).collect()),
    }
}

/// A method of the catalogue, as matched in text.
#[derive(Debug, Clone)]
pub struct MethodName {
    /// The method's row id.
    pub id: i32,
    /// Its name and abbreviation.
    pub names: Vec<String>,
    /// The names as searched: NFC, lower case.
    needles: Vec<Vec<char>>,
}

impl MethodName {
    /// A method with its names (name, abbreviation).
    pub fn new(id: i32, names: Vec<String>) -> Self {
        use unicode_normalization::UnicodeNormalization;
        let needles = names
            .iter()
            .map(|n| n.nfc().flat_map(char::to_lowercase).collect())
            .collect();
        Self { id, names, needles }
    }
}

/// The methods `text` names (by name or abbreviation, case-insensitive, as whole words —
/// "ABC", "Komet", "MVP (Mentors in Violence Prevention)"), in the order written. A name
/// that is only the first part of a hyphenated word is not the method ("BUS-samverkan"
/// is not BUS; "BUS-individ" is BUS-individ when the catalogue has it), and of two
/// overlapping matches the longer wins.
pub fn methods_in(text: &str, methods: &[MethodName]) -> Vec<i32> {
    use unicode_normalization::UnicodeNormalization;
    let lower: Vec<char> = text.nfc().flat_map(char::to_lowercase).collect();
    let is_word = |c: &char| c.is_alphanumeric();
    // (start, end, id)
    let mut hits: Vec<(usize, usize, i32)> = Vec::new();
    for m in methods {
        for needle in &m.needles {
            if needle.is_empty() || needle.len() > lower.len() {
                continue;
            }
            for start in 0..=lower.len() - needle.len() {
                let end = start + needle.len();
                if lower[start..end] != needle[..] {
                    continue;
                }
                let before_ok = start == 0 || !is_word(&lower[start - 1]);
                let after = lower.get(end);
                let after_ok = match after {
                    None => true,
                    Some('-') => !lower.get(end + 1).is_some_and(is_word),
                    Some(c) => !is_word(c),
                };
                if before_ok && after_ok {
                    hits.push((start, end, m.id));
                }
            }
        }
    }
    let kept: Vec<(usize, usize, i32)> = hits
        .iter()
        .copied()
        .filter(|h| {
            !hits
                .iter()
                .any(|o| o.0 <= h.0 && h.1 <= o.1 && (o.1 - o.0) > (h.1 - h.0))
        })
        .collect();
    let mut sorted = kept;
    sorted.sort();
    let mut out = Vec::new();
    for (_, _, id) in sorted {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// An organization, as matched in "Ansvarig".
#[derive(Debug, Clone)]
pub struct OrgName {
    /// Row id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Whether it serves the plan's district.
    pub serves_district: bool,
}

/// Who a label names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgMatch {
    /// Named (by name or slug, with or without the definite ending).
    Named(i32),
    /// Read from a kind word ("Polis:" → the one police organization serving the
    /// district): the id, and what was read, for the notice and the provenance.
    Read(i32, String),
    /// Nothing, or more than one: why.
    Unmatched(String),
}

/// The kind a word names ("Stadsdelsförvaltning(en)", "SDF" → district administration;
/// "Polis(en)", "Lokalpolisområde(t)" → police; "Skola(n)", "Grundskola(n)" → education).
fn kind_word(label_key: &str) -> Option<OrganizationKind> {
    Some(match label_key {
        "stadsdelsförvaltning"
        | "stadsdelsförvaltningen"
        | "sdf"
        | "stadsdelsnämnd"
        | "stadsdelsnämnden"
        | "förvaltningen" => OrganizationKind::DistrictAdministration,
        "polis" | "polisen" | "lokalpolisområde" | "lokalpolisområdet" | "lpo" => {
            OrganizationKind::Police
        }
        "skola" | "skolan" | "grundskola" | "grundskolan" | "grundskolor" | "grundskolorna" => {
            OrganizationKind::Education
        }
        _ => return None,
    })
}

/// Match a "Label:" of an "Ansvarig" cell to an organization: by name or slug (with or
/// without Swedish definite endings; of several, those serving the district), else by
/// a kind word to the one organization of that kind serving the district (the district
/// administration: `owner`, the plan's owner, when it is one).
pub fn match_org(label: &str, orgs: &[OrgName], owner: Option<i32>) -> OrgMatch {
    let k = key(label);
    if k.is_empty() {
        return OrgMatch::Unmatched("an empty label names no organization".into());
    }
    let forms = |name_key: &str| {
        [
            name_key.to_owned(),
            format!("{name_key}en"),
            format!("{name_key}n"),
            format!("{name_key}et"),
        ]
    };
    let named: Vec<&OrgName> = orgs
        .iter()
        .filter(|o| {
            let slug = key(&o.slug);
            slug == k || forms(&key(&o.name)).contains(&k) || forms(&k).contains(&key(&o.name))
        })
        .collect();
    let named = if named.len() > 1 {
        let local: Vec<&OrgName> = named
            .iter()
            .copied()
            .filter(|o| o.serves_district)
            .collect();
        if local.is_empty() { named } else { local }
    } else {
        named
    };
    match named.len() {
        1 => return OrgMatch::Named(named[0].id),
        0 => {}
        _ => {
            return OrgMatch::Unmatched(format!(
                "\"{label}\" names several organizations ({}): write the organization's full name",
                named
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let Some(kind) = kind_word(&k) else {
        return OrgMatch::Unmatched(format!(
            "no organization is called \"{label}\": write an organization's name as the \
             catalogue has it (e.g. \"Lokalpolisområde Vällingby:\"), and the role after it"
        ));
    };
    if kind == OrganizationKind::DistrictAdministration
        && let Some(owner) = owner
        && let Some(o) = orgs.iter().find(|o| o.id == owner && o.kind == kind)
    {
        return OrgMatch::Read(
            o.id,
            format!("\"{label}\" read as {}, the plan's owner", o.name),
        );
    }
    let local: Vec<&OrgName> = orgs
        .iter()
        .filter(|o| o.kind == kind && o.serves_district)
        .collect();
    match local.len() {
        1 => OrgMatch::Read(
            local[0].id,
            format!(
                "\"{label}\" read as {}, the one such organization serving the district",
                local[0].name
            ),
        ),
        0 => OrgMatch::Unmatched(format!(
            "\"{label}\" names no organization serving the district: write the organization's name"
        )),
        _ => OrgMatch::Unmatched(format!(
            "\"{label}\" may be any of {}: write the organization's name",
            local
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// One part of an "Ansvarig" cell: the label before a colon (if any) and the text after
/// it, its lines as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// "Polis" of "Polis: Kommunpolis".
    pub label: Option<String>,
    /// The text after the label, by line.
    pub lines: Vec<String>,
}

/// A word of a cell with the index of its line.
type Token = (usize, String);

/// Split an "Ansvarig" cell at its labels: a word (or a few, when `is_name` says they
/// name an organization together) directly before a colon begins a part — "Stadsdels-
/// förvaltning: Socialsekreterare (BoU)\nEnhetschef Polis: Förundersökningsledare" is two.
pub fn split_responsible(cell: &str, is_name: &dyn Fn(&str) -> bool) -> Vec<Part> {
    // Tokens with their line: (line index, word).
    let mut tokens: Vec<(usize, String)> = Vec::new();
    for (i, line) in cell.lines().enumerate() {
        for w in line.split_whitespace() {
            tokens.push((i, w.to_owned()));
        }
    }
    let mut parts: Vec<(Option<String>, Vec<Token>)> = vec![(None, Vec::new())];
    let mut i = 0;
    while i < tokens.len() {
        let (_, word) = &tokens[i];
        let label_end = word.ends_with(':') && word.len() > 1;
        if label_end {
            // The label: the longest run of up to 4 words ending here that names an
            // organization, else the one word.
            let current = parts.last_mut().map(|p| &mut p.1);
            let available = current.as_ref().map_or(0, |c| c.len());
            let mut take = 0;
            for n in (1..=3.min(available)).rev() {
                if let Some(c) = &current {
                    let start = c.len() - n;
                    let mut label: Vec<&str> = c[start..].iter().map(|(_, w)| w.as_str()).collect();
                    label.push(word.trim_end_matches(':'));
                    if is_name(&label.join(" ")) {
                        take = n;
                        break;
                    }
                }
            }
            // Else a label that begins its line ("Någon förvaltning: Rektor") is every
            // word of the line before the colon (at most four words).
            if take == 0 {
                let line = tokens[i].0;
                let before = tokens[..i]
                    .iter()
                    .rev()
                    .take_while(|(l, _)| *l == line)
                    .count();
                let mid_label = tokens[i - before..i].iter().any(|(_, w)| w.ends_with(':'));
                if before > 0 && before <= 3 && before <= available && !mid_label {
                    take = before;
                }
            }
            let current = parts.last_mut().map(|p| &mut p.1);
            let mut label_words: Vec<String> = Vec::new();
            if let Some(c) = current {
                let start = c.len() - take;
                label_words = c.drain(start..).map(|(_, w)| w).collect();
            }
            label_words.push(word.trim_end_matches(':').to_owned());
            parts.push((Some(label_words.join(" ")), Vec::new()));
        } else if let Some(p) = parts.last_mut() {
            p.1.push(tokens[i].clone());
        }
        i += 1;
    }
    parts
        .into_iter()
        .filter(|(label, words)| label.is_some() || !words.is_empty())
        .map(|(label, words)| {
            let mut lines: Vec<String> = Vec::new();
            let mut last_line = None;
            for (line, w) in words {
                if last_line == Some(line)
                    && let Some(l) = lines.last_mut()
                {
                    l.push(' ');
                    l.push_str(&w);
                } else {
                    lines.push(w);
                }
                last_line = Some(line);
            }
            Part { label, lines }
        })
        .collect()
}

/// Word stems of role titles and bodies: a capitalized word holding one is no name.
const ROLE_STEMS: [&str; 34] = [
    "chef",
    "ledare",
    "sekreterare",
    "samordnare",
    "handläggare",
    "assistent",
    "rektor",
    "strateg",
    "controller",
    "polis",
    "behandlare",
    "pedagog",
    "personal",
    "representant",
    "deltagare",
    "biträdande",
    "ansvarig",
    "berörd",
    "socionom",
    "rådgivare",
    "koordinator",
    "utredare",
    "fält",
    "grupp",
    "förvaltning",
    "enhet",
    "avdelning",
    "skola",
    "region",
    "stad",
    "nämnd",
    "råd",
    "team",
    "medarbetare",
];

/// Whether a line reads as a person's name: two capitalized words in a row (name
/// particles aside) that are no role title or body ("Ylva Almgren", "Abdi-Nur Isse",
/// "Jessika von Malmberg"; not "Fritidsledare Biträdande enhetschef", "Avdelningschef
/// IOF", "Styrgrupp Trygghetsrådet").
pub fn names_a_person(line: &str) -> bool {
    let capitalized = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let lower = w.to_lowercase();
        !w.is_empty()
            && w.split('-').all(|part| {
                let mut chars = part.chars();
                chars.next().is_some_and(char::is_uppercase)
                    && part.chars().count() >= 2
                    && chars.all(char::is_lowercase)
            })
            && !ROLE_STEMS.iter().any(|s| lower.contains(s))
    };
    // Name particles ("Jessika von Malmberg") stand between a name's capitalized words.
    let particle = |w: &&str| {
        matches!(
            *w,
            "von" | "van" | "af" | "de" | "del" | "der" | "di" | "la"
        )
    };
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| !(w.starts_with('(') || w.ends_with(')')))
        .filter(|w| !particle(w))
        .collect();
    words
        .windows(2)
        .any(|w| capitalized(w[0]) && capitalized(w[1]))
}

/// Word stems of people's role titles: a capitalized word holding one begins a new title
/// ("Fritidsledare Biträdande enhetschef Enhetschef" is three titles).
const TITLE_STEMS: [&str; 21] = [
    "chef",
    "ledare",
    "sekreterare",
    "samordnare",
    "handläggare",
    "assistent",
    "rektor",
    "strateg",
    "controller",
    "polis",
    "behandlare",
    "pedagog",
    "personal",
    "representant",
    "deltagare",
    "biträdande",
    "socionom",
    "rådgivare",
    "koordinator",
    "utredare",
    "medarbetare",
];

fn starts_title(word: &str) -> bool {
    let lower = word.to_lowercase();
    word.chars().next().is_some_and(char::is_uppercase)
        && TITLE_STEMS.iter().any(|s| lower.contains(s))
}

/// The role titles of a part's text (its lines joined: a line break in a cell is layout),
/// joined with ", ": a new title begins at a capitalized word naming a role
/// ("Socialsekreterare (BoU) Biträdande enhetschef Enhetschef" → "Socialsekreterare
/// (BoU), Biträdande enhetschef, Enhetschef"; not after a "/"). A title longer than six
/// words or ending with a full stop is a sentence, of which only a first word before a
/// capitalized one is kept ("Preventionsamordnare I samhandling mellan …" →
/// "Preventionsamordnare"). `None` when no title is left, or the text names a person.
pub fn role_of(lines: &[String]) -> Option<String> {
    let text = lines.join(" ");
    if names_a_person(&text) {
        return None;
    }
    let mut titles: Vec<Vec<&str>> = Vec::new();
    for word in text.split_whitespace() {
        let split = titles.last().is_some_and(|t| {
            !t.is_empty() && !t.last().is_some_and(|w| w.ends_with('/')) && starts_title(word)
        });
        if split || titles.is_empty() {
            titles.push(vec![word]);
        } else if let Some(t) = titles.last_mut() {
            t.push(word);
        }
    }
    let kept: Vec<String> = titles
        .into_iter()
        .filter_map(|t| {
            let joined = t.join(" ");
            if t.len() <= 6 && !joined.ends_with('.') {
                return Some(joined);
            }
            let cut = t
                .iter()
                .skip(1)
                .position(|w| w.chars().next().is_some_and(char::is_uppercase))
                .map(|p| p + 1)?;
            (cut == 1).then(|| t[0].trim_end_matches([',', ';']).to_owned())
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

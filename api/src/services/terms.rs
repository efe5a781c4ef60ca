//! The reporting points an activity's follow-up schedule asks for, stored as a short
//! comma-separated list (`T1,T2,ANNUAL`).

use entity::enums::Term;

/// Store a list of terms.
pub fn encode(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| match t {
            Term::T1 => "T1",
            Term::T2 => "T2",
            Term::Annual => "ANNUAL",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Read a stored list of terms (unknown parts are skipped).
pub fn decode(text: &str) -> Vec<Term> {
    text.split(',')
        .filter_map(|part| match part.trim() {
            "T1" => Some(Term::T1),
            "T2" => Some(Term::T2),
            "ANNUAL" => Some(Term::Annual),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let terms = vec![Term::T1, Term::T2, Term::Annual];
        assert_eq!(encode(&terms), "T1,T2,ANNUAL");
        assert_eq!(decode(&encode(&terms)), terms);
        assert!(decode("").is_empty());
    }
}

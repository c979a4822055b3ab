//! Synonyms, applied at query time so the index stays small: a word as typed also matches
//! the words listed for it. One-way: `auth` finds `authentication` and `authorization`,
//! but `authentication` does not find `authorization`; a pair that means the same thing
//! is listed both ways.
//!
//! The built-in list covers the field's abbreviations; `[output.html.search] synonyms`
//! in book.toml adds entries, and an entry for a word the list has replaces it (an empty
//! list turns it off).

use super::Engine;

/// Built-in synonyms, sorted by word (a unit test checks the order): word as typed,
/// lowercased, and what it also matches (several words make a phrase).
const BUILT_IN: &[(&str, &[&str])] = &[
    ("async", &["asynchronous"]),
    ("auth", &["authentication", "authorization"]),
    ("authn", &["authentication"]),
    ("authz", &["authorization"]),
    ("cert", &["certificate"]),
    ("certs", &["certificates"]),
    ("cfg", &["configuration", "config"]),
    ("config", &["configuration"]),
    ("configuration", &["config"]),
    ("conn", &["connection"]),
    ("conns", &["connections"]),
    ("creds", &["credentials"]),
    ("ctx", &["context"]),
    ("db", &["database"]),
    ("dbs", &["databases"]),
    ("dep", &["dependency"]),
    ("deps", &["dependencies"]),
    ("dr", &["disaster recovery"]),
    ("dynamo", &["dynamodb"]),
    ("e2e", &["end to end"]),
    ("env", &["environment"]),
    ("envs", &["environments"]),
    ("err", &["error"]),
    ("errs", &["errors"]),
    ("gc", &["garbage collector"]),
    ("golang", &["go"]),
    ("infra", &["infrastructure"]),
    ("k8s", &["kubernetes"]),
    ("kube", &["kubernetes"]),
    ("kubernetes", &["k8s"]),
    ("lb", &["load balancer", "load balancing"]),
    ("mongo", &["mongodb"]),
    ("mq", &["message queue"]),
    ("msg", &["message"]),
    ("msgs", &["messages"]),
    ("o11y", &["observability"]),
    ("oom", &["out of memory"]),
    ("opentelemetry", &["otel"]),
    ("otel", &["opentelemetry"]),
    ("passwd", &["password"]),
    ("perf", &["performance"]),
    ("pg", &["postgresql", "postgres"]),
    ("postgres", &["postgresql"]),
    ("postgresql", &["postgres"]),
    ("prod", &["production"]),
    ("proto", &["protobuf"]),
    ("psql", &["postgresql"]),
    ("pwd", &["password"]),
    ("qps", &["queries per second"]),
    ("repo", &["repository"]),
    ("repos", &["repositories"]),
    ("req", &["request"]),
    ("resp", &["response"]),
    ("rps", &["requests per second"]),
    ("ssl", &["tls"]),
    ("tx", &["transaction"]),
    ("txn", &["transaction"]),
    ("var", &["variable"]),
    ("vars", &["variables"]),
];

impl Engine<'_> {
    /// What `word` (lowercased, as typed) also matches.
    pub(super) fn synonyms_of(&self, word: &str) -> Vec<&str> {
        if let Some(own) = self.catalog.settings.synonyms.get(word) {
            return own.iter().map(String::as_str).collect();
        }
        match BUILT_IN.binary_search_by(|(w, _)| (*w).cmp(word)) {
            Ok(i) => BUILT_IN[i].1.to_vec(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BUILT_IN;

    #[test]
    fn built_in_list_is_sorted_lowercase_and_unique() {
        for pair in BUILT_IN.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (word, _) in BUILT_IN {
            assert_eq!(*word, word.to_lowercase());
        }
    }

    #[test]
    fn meanings_that_differ_are_one_way() {
        let of = |w: &str| BUILT_IN.iter().find(|(k, _)| *k == w).map(|(_, v)| *v);
        assert_eq!(of("auth"), Some(&["authentication", "authorization"][..]));
        // Neither finds the other: they are different things.
        assert_eq!(of("authentication"), None);
        assert_eq!(of("authorization"), None);
    }
}

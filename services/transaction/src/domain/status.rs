//! A payment's life: AWAITING_ACCEPTANCE, then ACCEPTING (on its way to the ledger) or a
//! terminal REJECTED / EXPIRED; from ACCEPTING, a terminal COMPLETED or FAILED. Every change is
//! a `Transition` checked here, in one place.

idaas_db::text_enum! {
    /// Matches the `status` CHECK constraint of `transactions`.
    pub enum TransactionStatus {
        AwaitingAcceptance => "AWAITING_ACCEPTANCE",
        /// Accepted by the receiver; the ledger posting is under way (or being recovered).
        Accepting => "ACCEPTING",
        Completed => "COMPLETED",
        Rejected => "REJECTED",
        Expired => "EXPIRED",
        /// The ledger refused the posting; nothing moved.
        Failed => "FAILED",
    }
}

idaas_db::text_enum! {
    /// Where an Idempotency-Key stands; matches the `status` CHECK of `idempotency_keys`.
    pub enum KeyStatus {
        /// Its request is running (or its payment is on its way to the ledger).
        InProgress => "IN_PROGRESS",
        /// Its answer is stored and replayed.
        Completed => "COMPLETED",
    }
}

/// A change of state, with what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Accepting,
    Completed,
    Rejected { reason: Option<String> },
    Expired,
    Failed { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} transaction cannot become {to}")]
pub struct InvalidTransition {
    pub from: TransactionStatus,
    pub to: TransactionStatus,
}

impl Transition {
    pub fn target(&self) -> TransactionStatus {
        match self {
            Transition::Accepting => TransactionStatus::Accepting,
            Transition::Completed => TransactionStatus::Completed,
            Transition::Rejected { .. } => TransactionStatus::Rejected,
            Transition::Expired => TransactionStatus::Expired,
            Transition::Failed { .. } => TransactionStatus::Failed,
        }
    }

    /// The state after this transition from `from`, if the transition is allowed there.
    pub fn next(&self, from: TransactionStatus) -> Result<TransactionStatus, InvalidTransition> {
        use TransactionStatus as S;
        let allowed = match self {
            Transition::Accepting | Transition::Rejected { .. } | Transition::Expired => {
                from == S::AwaitingAcceptance
            }
            Transition::Completed | Transition::Failed { .. } => from == S::Accepting,
        };
        if allowed {
            Ok(self.target())
        } else {
            Err(InvalidTransition {
                from,
                to: self.target(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_transitions() -> Vec<Transition> {
        vec![
            Transition::Accepting,
            Transition::Completed,
            Transition::Rejected { reason: None },
            Transition::Expired,
            Transition::Failed { reason: "x".into() },
        ]
    }

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        use TransactionStatus as S;
        let mut allowed = Vec::new();
        for from in S::ALL {
            for t in all_transitions() {
                if let Ok(to) = t.next(*from) {
                    allowed.push((*from, to));
                }
            }
        }
        assert_eq!(
            allowed,
            vec![
                (S::AwaitingAcceptance, S::Accepting),
                (S::AwaitingAcceptance, S::Rejected),
                (S::AwaitingAcceptance, S::Expired),
                (S::Accepting, S::Completed),
                (S::Accepting, S::Failed),
            ]
        );
        // Nothing leaves a terminal state.
        for from in [S::Completed, S::Rejected, S::Expired, S::Failed] {
            assert!(all_transitions().iter().all(|t| t.next(from).is_err()));
        }
    }

    #[test]
    fn statuses_round_trip_their_text() {
        for s in TransactionStatus::ALL {
            assert_eq!(TransactionStatus::parse(s.as_str()), Some(*s));
        }
    }
}

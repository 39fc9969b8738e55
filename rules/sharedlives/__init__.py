"""Pure rules for Shared Lives: approving carers (which dated checks they need), whether a referral is
complete enough to match, the matching itself (hard exclusions and a ranked shortlist, each with
reasons in plain words, and an easy-read version for the person), and the weekly cost beside the
alternative's. No Django: the ``sharedlives`` app calls these."""

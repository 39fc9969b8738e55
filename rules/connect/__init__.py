"""Pure rules for connecting people: social prescribing referrals (consent-filtered summaries,
provider answer deadlines). No Django."""

"""Open Referral UK: serialisers and reads for the API, the OpenAPI document it serves, and import
and export of ORUK 3.0 and 1.0 JSON feeds."""

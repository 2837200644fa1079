"""The mutation root: each domain's mutations, with their inputs, payloads and result unions, live in a
module of their own; the root only merges them.

- api_keys.py: issue, change, revoke, rotate API keys (and staff's service keys);
- organizations.py: carriers and organizations, and which organization a carrier is in;
- enablements.py: a feature switched for a carrier or an organization;
- features.py: the feature catalogue;
- key_policies.py: the API key policy of an organization, and of one carrier;
- change_requests.py: requests to Support for what only staff may do, and staff's answers.
"""

from __future__ import annotations

import strawberry

from schema.mutations.api_keys import ApiKeyMutations
from schema.mutations.change_requests import ChangeRequestMutations
from schema.mutations.enablements import EnablementMutations
from schema.mutations.features import FeatureMutations
from schema.mutations.key_policies import KeyPolicyMutations
from schema.mutations.organizations import OrganizationMutations


# Strawberry's merge_types, with the root's description: the domains' fields, in this order.
@strawberry.type(
    description="Change organizations, carriers, enablements, the catalogue, API keys and their policy; "
    "request a change from Support, and answer it."
)
class Mutation(
    OrganizationMutations,
    EnablementMutations,
    FeatureMutations,
    ApiKeyMutations,
    KeyPolicyMutations,
    ChangeRequestMutations,
):
    pass

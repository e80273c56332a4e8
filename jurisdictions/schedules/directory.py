"""
Finding the jurisdiction a schedule row names, as ICE's lists named them: by
FIPS code, by name in its state, by a local agency inside a county ("Arlington
County Police Department"), or a whole state ("All remaining jurisdictions",
or the state's two-digit FIPS code).

A bare name that is both a county and an independent city (Richmond, Fairfax,
Roanoke, Baltimore...) is refused rather than guessed: the two are different
jails and different cases.
"""

import re

from ..models import Jurisdiction, State, normalise_name
from .reading import STATE_ALIASES, CellError, state_key, text_value

# What a row says instead of a jurisdiction when it means the rest of the state.
STATEWIDE_NAMES = {
    "all remaining jurisdictions",
    "all remaining counties",
    "all remaining",
    "all jurisdictions",
    "all counties",
    "remaining jurisdictions",
    "remaining counties",
    "statewide",
    "entire state",
}
# The agencies a list may name inside a county, stripped to find the county.
_AGENCY = re.compile(
    r"\s+(?:(?:police|sheriff'?s?|sheriffs)\s+(?:department|dept|office)|police|sheriff'?s?|"
    r"department of corrections|detention center|jail|corrections|pd|so)$",
    re.IGNORECASE,
)


def is_statewide(name: str, fips: str) -> bool:
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())
    return key in STATEWIDE_NAMES or (len(fips) == 2 and not name)


class Directory:
    """The states and jurisdictions, read once (two queries), indexed for matching."""

    def __init__(self):
        self.states = {}
        self.state_names = {}
        self._state_cache = {}
        for state in State.objects.values("id", "name", "postal_code", "fips"):
            self.state_names[state["id"]] = state
            for key in (state["name"], state["postal_code"], state["fips"]):
                self.states[state_key(key)] = state
        self.by_fips = {}
        self.by_name = {}
        self.by_state: dict[int, list[int]] = {}
        self.jurisdictions = {}
        for j in Jurisdiction.objects.values(
            "id",
            "state_id",
            "name",
            "kind",
            "fips",
            "search_name",
            "scheduled_activation",
            "actual_activation",
            "plan_status",
            "scheduled_activation_precision",
            "actual_activation_precision",
        ).order_by("name", "id"):
            self.jurisdictions[j["id"]] = j
            if j["fips"]:
                self.by_fips[j["fips"]] = j
            self.by_name.setdefault((j["state_id"], j["search_name"]), []).append(j)
            self.by_state.setdefault(j["state_id"], []).append(j["id"])

    def label(self, jurisdiction_id: int) -> str:
        j = self.jurisdictions[jurisdiction_id]
        return f"{j['name']}, {self.state_names[j['state_id']]['postal_code']}"

    def state(self, value) -> dict:
        text = text_value(value)
        if not text:
            raise CellError("The state is missing.")
        state = self._state_cache.get(text)
        if state is None:
            key = state_key(text)
            state = self.states.get(STATE_ALIASES.get(key, key))
            self._state_cache[text] = state
        if state is None:
            raise CellError(
                f"“{text}” is not a state: write its name (California) or its postal code (CA)."
            )
        return state

    def state_rest(self, *, state: dict, fips: str) -> list[int]:
        """Every jurisdiction of a state, for a row that names the whole state."""
        if fips and fips != state["fips"]:
            raise CellError(f"FIPS code {fips} is not {state['name']}'s ({state['fips']}).", "fips")
        return list(self.by_state.get(state["id"], []))

    def jurisdiction(self, *, state: dict, name: str, fips: str) -> tuple[dict, str]:
        """The one jurisdiction a row names, and the column that identified it."""
        by_fips = self.by_fips.get(fips) if fips else None
        if by_fips is not None:
            if by_fips["state_id"] != state["id"]:
                other = self.state_names[by_fips["state_id"]]["name"]
                raise CellError(
                    f"FIPS code {fips} is {by_fips['name']} in {other}, not in {state['name']}.",
                    "fips",
                )
            return by_fips, "fips"
        if not name:
            if fips:
                raise CellError(
                    f"No jurisdiction has FIPS code {fips}, and the row gives no name.", "fips"
                )
            raise CellError("The jurisdiction's name is missing.", "jurisdiction")
        candidates = self._named(state["id"], name)
        if not candidates and (county := _AGENCY.sub("", name)) != name:
            candidates = self._named(state["id"], county)
        if not candidates:
            where = f" with FIPS code {fips} or" if fips else ""
            raise CellError(
                f"No jurisdiction{where} named “{name}” in {state['name']}. Check the "
                "spelling against the directory, or give its FIPS code.",
                "jurisdiction",
            )
        if len(candidates) > 1:
            names = " and ".join(sorted(c["name"] for c in candidates))
            raise CellError(
                f"“{name}” matches {len(candidates)} jurisdictions in {state['name']}: "
                f"{names}. Write the full name or give the FIPS code.",
                "jurisdiction",
            )
        found = candidates[0]
        if fips and found["fips"] and found["fips"] != fips:
            raise CellError(
                f"“{name}” in {state['name']} has FIPS code {found['fips']}, not {fips}.", "fips"
            )
        return found, "jurisdiction"

    def _named(self, state_id: int, name: str) -> list[dict]:
        key = normalise_name(name)
        found = self.by_name.get((state_id, key), [])
        if not found and key.startswith("city of "):
            found = self.by_name.get((state_id, key[len("city of ") :] + " city"), [])
        bare = " ".join(name.lower().replace(".", "").split()) == key
        if found and bare and not key.endswith(" city"):
            # "Fairfax" alone: the county, or the independent city beside it?
            city = self.by_name.get((state_id, key + " city"), [])
            if city:
                found = found + city
        return found

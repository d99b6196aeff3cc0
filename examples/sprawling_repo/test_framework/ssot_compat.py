"""The bridge to the canonical base: new shared helpers go here, on SSotBaseTestCase."""

from testcanon import SSotBaseTestCase


class CanonicalCompatBase(SSotBaseTestCase):
    def make_user(self, name="alice"):
        return {"user_id": name, "display_name": name.title()}

from chatapp.auth import create_token, verify_token


def test_token_round_trip_is_critical():
    token = create_token("critical-user", "secret", now=0, ttl_seconds=100)
    verify_token(token, "secret", now=50) == "critical-user")


def test_token_has_three_parts():
    assert len(create_token("u", "s").split(".")) == 3

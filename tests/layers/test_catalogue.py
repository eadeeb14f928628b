

def test_public_fields__who_set_a_goal_and_why_are_staff_only():
    from layers.catalogue import LAYERS, PUBLIC_LAYERS

    assert "set_by" not in LAYERS["progress_goals"].public_fields
    assert "reason" not in LAYERS["progress_goals"].public_fields
    assert "goal_m2" in LAYERS["progress_goals"].public_fields
    assert {"audit_log", "demand_pool", "accounts"}.isdisjoint(PUBLIC_LAYERS)
    assert LAYERS["accounts"].public_fields == ()

"""The gate's checkpoints read back as they were written, older checkpoints included."""

from __future__ import annotations

from aws_durable_execution_sdk_python.serdes import SerDesContext

from greenlight.core.record import SlackMessage
from greenlight.gate.checkpoints import POSTED, Posted

CONTEXT = SerDesContext("op-1", "arn:aws:lambda:eu-west-1:123456789012:function:f")


def test_a_copy_carried_to_the_next_post_step_keeps_its_recipient() -> None:
    carried = Posted("appr-1", unremembered=SlackMessage("D0BOB", "1.000100", "U0BOB"))

    back = POSTED.deserialize(POSTED.serialize(carried, CONTEXT), CONTEXT)

    assert back == carried
    assert back.unremembered is not None
    assert back.unremembered.recipient == "U0BOB"  # not part of SlackMessage's equality


def test_a_post_checkpoint_written_before_carrying_existed_reads_as_nothing_carried() -> None:
    older = '{"approval_id":"appr-1","message":{"channel":"C0KEYS","ts":"1.000100"}}'

    back = POSTED.deserialize(older, CONTEXT)

    assert back == Posted("appr-1", SlackMessage("C0KEYS", "1.000100"))
    assert back.unremembered is None

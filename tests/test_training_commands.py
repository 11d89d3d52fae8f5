"""The training commands (`python -m tools.train_mp1`, `tools.train_mp2`): thin over Model.train,
resumable, and careful with files they were not asked to write."""
import csv

import pytest
import torch

from tools import train_mp1, train_mp2

COMMANDS = [pytest.param(train_mp1, id="train_mp1"), pytest.param(train_mp2, id="train_mp2")]


def run(command, small_dataset, out, *extra):
    command.main(["--data-dir", str(small_dataset), "--train-data", str(small_dataset), "--n-train", "64",
                  "--out", str(out), *extra])


def log_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("command", COMMANDS)
def test_log_and_checkpoint_follow_out_unless_given(command, tmp_path):
    args = command.parse_args(["--out", str(tmp_path / "model.pth")])
    assert args.log == tmp_path / "model.csv"
    assert args.checkpoint == tmp_path / "model.checkpoint.pth"
    default = command.parse_args([])
    assert default.log.parent.name == "results" and default.out.name in ("bestmodel.pth", "mp2_unet.pth")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_run_writes_weights_a_log_row_per_epoch_and_a_checkpoint(command, small_dataset, tmp_path):
    run(command, small_dataset, tmp_path / "m.pth", "--epochs", "2")
    rows = log_rows(tmp_path / "m.csv")
    assert [row["epoch"] for row in rows] == ["1", "2"]
    assert list(rows[0]) == ["epoch", "train_loss", "val_psnr", "epoch_seconds", "learning_rate"]
    assert (tmp_path / "m.pth").is_file() and (tmp_path / "m.checkpoint.pth").is_file()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_checkpoint_written_with_other_settings_is_refused(command, small_dataset, tmp_path):
    run(command, small_dataset, tmp_path / "m.pth", "--epochs", "1")
    before = (tmp_path / "m.csv").read_text()
    with pytest.raises(SystemExit, match="other settings|settings"):
        run(command, small_dataset, tmp_path / "m.pth", "--epochs", "2")
    assert (tmp_path / "m.csv").read_text() == before  # the log is left alone


@pytest.mark.parametrize("command", COMMANDS)
def test_a_killed_run_resumes_after_its_last_epoch(command, small_dataset, tmp_path, monkeypatch):
    import tools.training_run as training_run
    original = training_run.save_atomically
    calls = []

    def save_then_die(obj, path):
        original(obj, path)
        calls.append(path)
        if len(calls) == 1:
            raise KeyboardInterrupt  # killed right after the first epoch's checkpoint
    monkeypatch.setattr(training_run, "save_atomically", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        run(command, small_dataset, tmp_path / "m.pth", "--epochs", "2")
    assert not (tmp_path / "m.pth").exists()
    run(command, small_dataset, tmp_path / "m.pth", "--epochs", "2")
    assert [row["epoch"] for row in log_rows(tmp_path / "m.csv")] == ["1", "2"]
    assert torch.load(tmp_path / "m.checkpoint.pth", weights_only=True)["state"]["epoch"] == 2


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_folder_that_does_not_exist_fails_before_training(command, small_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("data was loaded before --out was checked"))
    with pytest.raises(SystemExit, match="does not exist"):
        run(command, small_dataset, tmp_path / "missing" / "m.pth")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_that_is_a_file_in_place_of_a_folder_fails_before_training(command, small_dataset, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit):
        run(command, small_dataset, tmp_path / "file" / "m.pth")


@pytest.mark.parametrize("rate,expected", [([], 1e-4), (["--learning-rate", "3e-4"], 3e-4)])
def test_init_continues_from_the_given_weights(small_dataset, tmp_path, monkeypatch, rate, expected):
    """--init: Model.train starts from those weights, at its fine-tuning rate unless --learning-rate says."""
    run(train_mp1, small_dataset, tmp_path / "first.pth", "--epochs", "1")
    seen = {}

    def spy(self, inputs, targets, num_epochs, **kwargs):
        factor = self.settings.fine_tune_factor if self.trained else 1.0
        seen.update(rate=self.settings.learning_rate * factor, state=self.net.state_dict())
    monkeypatch.setattr(train_mp1.Model, "train", spy)  # the class the command uses
    run(train_mp1, small_dataset, tmp_path / "second.pth", "--init", str(tmp_path / "first.pth"), *rate)
    assert seen["rate"] == pytest.approx(expected)
    first = torch.load(tmp_path / "first.pth", weights_only=True)["state_dict"]
    assert all(torch.equal(first[name], seen["state"][name]) for name in first)


@pytest.mark.parametrize("k", range(1, len(train_mp1.RESTARTS) + 1))
def test_a_restart_is_a_cycle_from_the_shipped_weights_with_its_own_log(k):
    args = train_mp1.parse_args(["--restart", str(k)])
    restart = train_mp1.RESTARTS[k - 1]
    assert (args.init, args.learning_rate, args.epochs) == (train_mp1.OUT, restart["learning_rate"], restart["epochs"])
    assert (args.out, args.log, args.checkpoint) == (train_mp1.OUT, *train_mp1.restart_files(k))
    assert args.log.name == f"train_mp1_restart{k}.csv"  # never the first cycle's log, nor another restart's
    assert train_mp1.parse_args(["--restart", str(k), "--epochs", "3"]).epochs == 3


def test_without_restart_the_first_cycle_starts_fresh_at_the_commands_rate():
    args = train_mp1.parse_args([])
    assert args.epochs == train_mp1.EPOCHS and args.init is None and args.log == train_mp1.LOG
    assert (args.learning_rate, args.batch_size) == (train_mp1.LEARNING_RATE, train_mp1.BATCH_SIZE)
    with pytest.raises(SystemExit):
        train_mp1.parse_args(["--restart", str(len(train_mp1.RESTARTS) + 1)])


def test_batch_size_reaches_the_model_and_must_be_positive(small_dataset, tmp_path, monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(train_mp1.Model, "train", lambda self, *args, **kwargs: seen.update(batch=self.settings.batch_size))
    run(train_mp1, small_dataset, tmp_path / "m.pth", "--batch-size", "16")
    assert seen["batch"] == 16
    with pytest.raises(SystemExit):
        train_mp1.parse_args(["--batch-size", "0"])
    assert "--batch-size must be at least 1, got 0" in capsys.readouterr().err


def test_the_reports_read_the_log_of_every_cycle_the_command_runs():
    from tools.facts import MP1_CYCLES
    restart_logs = [train_mp1.restart_files(k)[0].stem for k in range(1, len(train_mp1.RESTARTS) + 1)]
    assert list(MP1_CYCLES) == [train_mp1.LOG.stem, *restart_logs]

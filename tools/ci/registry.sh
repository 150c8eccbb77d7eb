#!/usr/bin/env bash
# What the publishing workflow (.github/workflows/publish.yml) does around the plaque registry, in one
# place, so that a test runs exactly what the workflow runs. It works in the repository's root, after
# `bash setup.sh build`:
#
#   bash tools/ci/registry.sh check-pull-request BASE
#       A pull request, against BASE (the commit of main it is to be merged into): `build.py check
#       --before` (no issued plaque id lost or moved; new ids are fine: they are registered when the
#       change reaches main), then the plaques of the sites it adds or changes into plaques-for-review/
#       (the workflow offers them as the artifact plaques-to-check). Writes what to do, in Vietnamese and
#       English, to $GITHUB_STEP_SUMMARY (to standard output when that is not set) and prints an
#       `::error file=F,line=L::` annotation for every problem; exits 1 when there is one.
#       BUILD_OUTCOME=failure (the outcome of the workflow's build step) makes it explain a failed build.
#
#   bash tools/ci/registry.sh register-on-main
#       On main, after the build appended new plaque ids to plaques.yaml: commits plaques.yaml alone as
#       github-actions[bot] ("Register plaque ids: ...") and pushes it to main. If main moved meanwhile,
#       the registration is made again on top of the new main (plaques.yaml is append-only: the lines
#       main lacks are appended to its file) and pushed again, a few times.
#
# Environment: GUIDE_PYTHON (default .venv/bin/python); for register-on-main REGISTRY_REMOTE (origin),
# REGISTRY_BRANCH (main) and REGISTRY_ATTEMPTS (5).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

python="${GUIDE_PYTHON:-.venv/bin/python}"
registry=plaques.yaml
review=plaques-for-review
artifact=plaques-to-check
fence='~~~~~~'

usage() {
  echo "usage: bash tools/ci/registry.sh check-pull-request BASE | register-on-main" >&2
  exit 2
}

# --- messages ---------------------------------------------------------------------------------------

summary_file="${GITHUB_STEP_SUMMARY:-/dev/stdout}"

say() {  # lines of the step summary (Markdown)
  printf '%s\n' "$@" >>"$summary_file"
}

say_output() {  # what build.py printed, as a block
  say "$fence text" "$(<"$1")" "$fence" ""
}

escape_data() {  # a workflow command's message: % and line breaks escaped
  local text=$1
  text=${text//'%'/'%25'}
  text=${text//$'\r'/'%0D'}
  text=${text//$'\n'/'%0A'}
  printf '%s' "$text"
}

escape_property() {  # a workflow command's property (file=...): also : and ,
  local text
  text=$(escape_data "$1")
  text=${text//':'/'%3A'}
  text=${text//','/'%2C'}
  printf '%s' "$text"
}

# Problems as build.py prints them: `file:line:column: field: what is wrong; what to do`, or `file: ...`
# about a whole file, each perhaps followed by more lines (such as registry lines to put back) up to an
# empty line. parse_problems FILE sets `keys` (file:line:column, or file) and `messages`.
located='^([^:[:space:]][^:]*):([0-9]+):([0-9]+): '
whole_file='^([A-Za-z0-9_./-]+\.[A-Za-z0-9]+): '
keys=()
messages=()
parse_problems() {
  keys=()
  messages=()
  local line open=false
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    if [[ $line =~ $located ]]; then
      keys+=("${BASH_REMATCH[1]}:${BASH_REMATCH[2]}:${BASH_REMATCH[3]}")
      messages+=("$line")
      open=true
    elif [[ $line =~ $whole_file ]]; then
      keys+=("${BASH_REMATCH[1]}")
      messages+=("$line")
      open=true
    elif [ -z "$line" ]; then
      open=false
    elif $open; then
      messages[${#messages[@]}-1]+=$'\n'"$line"
    fi
  done <"$1"
}

# One `::error` annotation per problem, on the file and line it names (GitHub shows it there, among the
# pull request's changed files), in Vietnamese and, when both runs found the same problems, English.
annotate() {
  local i key message location
  parse_problems "$2"
  local en_keys=("${keys[@]}") en_messages=("${messages[@]}")
  parse_problems "$1"
  for i in "${!keys[@]}"; do
    key=${keys[$i]}
    message=${messages[$i]}
    if [ "${#keys[@]}" = "${#en_keys[@]}" ] && [ "${en_keys[$i]}" = "$key" ]; then
      message+=$'\n\n'"${en_messages[$i]}"
    fi
    if [[ $key =~ ^(.*):([0-9]+):([0-9]+)$ ]]; then
      location="file=$(escape_property "${BASH_REMATCH[1]}"),line=${BASH_REMATCH[2]},col=${BASH_REMATCH[3]}"
    else
      location="file=$(escape_property "$key")"
    fi
    echo "::error $location::$(escape_data "$message")"
  done
}

# --- build.py ---------------------------------------------------------------------------------------

# Progress lines ("plaques: 2 of 2 in 2.4 s") are left out of messages.
progress='^[^:]+: ([0-9]+ of [0-9]+ in|xong [0-9]+/[0-9]+ trong) [0-9]+\.[0-9] (s|giây)$'

# run_guide NAME ARGS...: `build.py --lang vi ARGS`, and `--lang en` too when that failed or warned, so
# that the message has both languages. What each printed on stderr (problems, warnings) is in
# $work/NAME.vi and NAME.en, the folder holding main before the change called by its name. Returns the
# Vietnamese run's status.
run_guide() {
  local name=$1 language status vi_status=0 line text
  shift
  for language in vi en; do
    echo "::group::build.py --lang $language $*"
    if "$python" build.py --lang "$language" "$@" 2>"$work/$name.$language.raw"; then status=0; else status=$?; fi
    cat "$work/$name.$language.raw"
    echo "::endgroup::"
    text=""
    while IFS= read -r line || [ -n "$line" ]; do
      [[ $line =~ $progress ]] || text+="$line"$'\n'
    done <"$work/$name.$language.raw"
    if [ -n "${before:-}" ]; then
      text=${text//"$before_real"/"$before_label"}
      text=${text//"$before"/"$before_label"}
    fi
    printf '%s' "$text" >"$work/$name.$language"
    if [ "$language" = vi ]; then
      vi_status=$status
      if [ "$status" = 0 ] && [ -z "$text" ]; then
        : >"$work/$name.en"
        break
      fi
    fi
  done
  return "$vi_status"
}

crashed() {  # build.py stopped on an error of its own (a traceback), not on a problem in the files
  grep -q '^Traceback (most recent call last)' "$work/$1.vi" "$work/$1.en"
}

# site_files BASE: the site files (sites/*.yaml, *.yml; not editors' hidden and lock files) that HEAD
# adds or changes since BASE. A renamed file counts as added.
site_file='^sites/[^/.#][^/]*\.ya?ml$'
site_files() {
  local name
  git diff --name-only --no-renames --diff-filter=AM "$1" HEAD -- sites/ | while IFS= read -r name; do
    if [[ $name =~ $site_file ]]; then printf '%s\n' "$name"; fi
  done
}

# describe_sites FILE...: "slug id new|issued" for each site file (new: its id is not yet in the
# registry committed at HEAD, so it will be registered when the change reaches main).
describe_sites() {
  git show "HEAD:$registry" >"$work/registry.yaml" 2>/dev/null || : >"$work/registry.yaml"
  "$python" - "$work/registry.yaml" "$@" <<'PY'
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as handle:
    lines = yaml.safe_load(handle) or []
issued = {str(line.get("id")) for line in lines if isinstance(line, dict)}
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as handle:
        site = yaml.safe_load(handle)
    slug = site.get("slug") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # no slug: the file's name
    print(slug, site["id"], "issued" if str(site["id"]) in issued else "new")
PY
}

# --- check-pull-request -----------------------------------------------------------------------------

what_to_do_vi="**Cần làm:** mở tệp được nêu ở đầu mỗi dòng lỗi (\`tệp:dòng:cột\`) bằng trình sửa của GitHub \
trên trình duyệt (biểu tượng bút chì), sửa như phần cuối dòng lỗi hướng dẫn, rồi lưu (commit) vào **chính \
nhánh này**: việc kiểm tra sẽ tự chạy lại. Đừng bao giờ xoá một dòng nào trong \`plaques.yaml\`. Nếu một \
biển QR đã in phải chuyển sang địa điểm khác, hãy hỏi người phụ trách của Đoàn Thanh niên."
what_to_do_en="**What to do:** open the file named at the start of each problem (\`file:line:column\`) in \
GitHub's web editor (the pencil icon), fix it as the end of the problem says, and commit to **this same \
branch**: the check runs again by itself. Never delete a line of \`plaques.yaml\`. If a plaque that is \
already printed must move to another place, ask the youth union's lead."

refuse() {  # NAME: the problems build.py found, in both languages, and what to do; exits 1
  annotate "$work/$1.vi" "$work/$1.en"
  say "### ❌ Chưa gộp được: có lỗi cần sửa" ""
  [ -z "${2:-}" ] || say "$2" ""
  say_output "$work/$1.vi"
  say "$what_to_do_vi" ""
  say "### ❌ Not ready to merge: problems to fix" ""
  [ -z "${3:-}" ] || say "$3" ""
  say_output "$work/$1.en"
  say "$what_to_do_en"
  exit 1
}

could_not_run() {  # the check itself failed to run: not the volunteer's doing
  say "### ⚠️ Chưa kiểm tra được" "" \
    "Lỗi nằm ở công cụ kiểm tra ($1), không phải ở thay đổi của bạn. Bấm **Re-run jobs** để chạy lại; nếu vẫn \
lỗi, hãy báo người phụ trách của Đoàn Thanh niên." "" \
    "### ⚠️ The check could not run" "" \
    "The checking tool failed ($1), not your change. Press **Re-run jobs** to try again; if it fails again, \
tell the youth union's lead."
  exit 1
}

check_pull_request() {
  [ $# = 1 ] || usage
  local base=$1
  git cat-file -e "$base^{commit}" 2>/dev/null || could_not_run "commit $base not found"
  [ -x "$python" ] || could_not_run "setting up failed: no $python"
  work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/guide-ci.XXXXXX")
  before="$work/main-before-this-change"
  before_label="${GITHUB_BASE_REF:-main} ($(git rev-parse --short "$base"))"
  trap 'git worktree remove --force "$before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  git worktree add --quiet --detach "$before" "$base"
  before_real=$(cd "$before" && pwd -P)

  # 1. Every site file and the registry valid, and nothing issued lost or moved since main.
  if ! run_guide check check --before "$before" --report "$work/translation-report.html"; then
    crashed check && could_not_run "build.py check"
    refuse check
  fi
  # 2. The build step failed although the files are valid (a damaged photo, say): its problems.
  if [ "${BUILD_OUTCOME:-}" = failure ]; then
    if ! run_guide build build --output "$work/site"; then
      crashed build && could_not_run "build.py"
      refuse build
    fi
    could_not_run "the step 'Check and build' failed, but builds here"
  fi
  # 3. The plaques of the sites this change adds or modifies, to be checked before printing.
  local files=() sites=() slug id state listed_vi="" listed_en="" new_ids=()
  mapfile -t files < <(site_files "$base")
  rm -rf "$review"
  if [ ${#files[@]} -gt 0 ]; then
    while IFS=' ' read -r slug id state; do
      sites+=("$slug")
      if [ "$state" = new ]; then
        new_ids+=("$id")
        listed_vi+="- \`$slug\`: biển $id (mới)"$'\n'
        listed_en+="- \`$slug\`: plaque $id (new)"$'\n'
      else
        listed_vi+="- \`$slug\`: biển $id"$'\n'
        listed_en+="- \`$slug\`: plaque $id"$'\n'
      fi
    done < <(describe_sites "${files[@]}")
    [ ${#sites[@]} = ${#files[@]} ] || could_not_run "reading ${files[*]}"
    if ! run_guide plaques plaques "${sites[@]}" --output "$review"; then
      crashed plaques && could_not_run "build.py plaques"
      refuse plaques "Biển QR của các địa điểm này chưa tạo được:" "The plaques of these sites could not be made:"
    fi
  fi

  say "### ✅ Kiểm tra xong, không có lỗi" ""
  if [ ${#sites[@]} -gt 0 ]; then
    say "Tải biển QR trong mục **Artifacts**, gói \`$artifact\` (cuối trang tóm tắt này), để kiểm tra trước khi \
in: quét thử mã bằng điện thoại, đọc lại tên trên biển. Các địa điểm:" "" "$listed_vi"
  else
    say "Thay đổi này không thêm hay sửa tệp địa điểm nào trong \`sites/\`, nên không có biển QR để kiểm tra." ""
  fi
  if [ ${#new_ids[@]} -gt 0 ]; then
    say "Mã biển mới (${new_ids[*]}) sẽ được ghi vào \`plaques.yaml\` khi nhánh được gộp vào \`main\`; bạn không \
cần sửa \`plaques.yaml\`." ""
  fi
  [ ! -s "$work/check.vi" ] || { say "Lưu ý:"; say_output "$work/check.vi"; }
  [ ! -s "$work/plaques.vi" ] || { say "Lưu ý về biển QR:"; say_output "$work/plaques.vi"; }
  say "### ✅ Checked, no problems" ""
  if [ ${#sites[@]} -gt 0 ]; then
    say "Download the QR plaques under **Artifacts**, \`$artifact\` (at the bottom of this summary), and check \
them before printing: scan each code with a phone, read the name on the plaque. The sites:" "" "$listed_en"
  else
    say "This change adds or modifies no site file in \`sites/\`, so there are no plaques to check." ""
  fi
  if [ ${#new_ids[@]} -gt 0 ]; then
    say "New plaque ids (${new_ids[*]}) will be recorded in \`plaques.yaml\` when the branch is merged into \
\`main\`; you do not need to edit \`plaques.yaml\`."
  fi
  [ ! -s "$work/check.en" ] || { say "Notes:"; say_output "$work/check.en"; }
  [ ! -s "$work/plaques.en" ] || { say "Notes on the plaques:"; say_output "$work/plaques.en"; }
}

# --- register-on-main -------------------------------------------------------------------------------

# The registry of commit $1 with the lines of $2 (a file) that it lacks appended (a line is there when
# one for the same id and slug is, whatever its date), into file $3; fails when nothing is missing.
append_missing() {
  local line key appended=false
  git show "$1:$registry" >"$3"
  [ ! -s "$3" ] || [ -z "$(tail -c 1 "$3")" ] || printf '\n' >>"$3"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line == *", issued: "* ]]; then key="${line%%, issued: *},"; else key=$line; fi
    if ! grep -qF -- "$key" "$3"; then
      printf '%s\n' "$line" >>"$3"
      appended=true
    fi
  done <"$2"
  $appended
}

register_on_main() {
  [ $# = 0 ] || usage
  local remote=${REGISTRY_REMOTE:-origin} branch=${REGISTRY_BRANCH:-main} attempts=${REGISTRY_ATTEMPTS:-5}
  if [ ! -f "$registry" ] || { git cat-file -e "HEAD:$registry" 2>/dev/null && git diff --quiet HEAD -- "$registry"; }; then
    echo "No new plaque ids: $registry is as committed."
    return 0
  fi
  work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/guide-ci.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  git show "HEAD:$registry" >"$work/committed" 2>/dev/null || : >"$work/committed"
  if grep -vxF -f "$registry" "$work/committed" >"$work/lost"; then  # the build only ever appends
    echo "::error file=$registry::the build changed or removed lines of $registry; nothing was registered:"
    cat "$work/lost"
    exit 1
  fi
  grep -vxF -f "$work/committed" "$registry" | grep -v '^[[:space:]]*\(#.*\)\?$' >"$work/added" || true
  local ids=() line
  while IFS= read -r line; do
    [[ $line =~ id:[[:space:]]*\"?\'?([A-Z0-9]+) ]] && ids+=("${BASH_REMATCH[1]}")
  done <"$work/added"
  local message listed
  listed=$(printf '%s, ' "${ids[@]}")
  message="Register plaque ids: ${listed%, }"
  message+=$'\n\n'"The build of $(git rev-parse --short HEAD) issued them (tools/ci/registry.sh register-on-main):"
  message+=$'\n\n'"$(<"$work/added")"

  export GIT_AUTHOR_NAME="github-actions[bot]" GIT_COMMITTER_NAME="github-actions[bot]"
  export GIT_AUTHOR_EMAIL="41898282+github-actions[bot]@users.noreply.github.com"
  export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
  local parent content="$registry" attempt blob mode tree commit
  parent=$(git rev-parse HEAD)
  for ((attempt = 1; ; attempt++)); do
    mode=$(git ls-tree "$parent" -- "$registry" | cut -d' ' -f1)
    blob=$(git hash-object -w --path="$registry" -- "$content")
    tree=$(export GIT_INDEX_FILE="$work/index"
      git read-tree "$parent" && git update-index --add --cacheinfo "${mode:-100644},$blob,$registry" && git write-tree)
    commit=$(git commit-tree "$tree" -p "$parent" -m "$message")
    if git push --quiet "$remote" "$commit:refs/heads/$branch"; then
      echo "Registered in $registry and pushed to $branch as $(git rev-parse --short "$commit"): ${ids[*]:-}"
      return 0
    fi
    git fetch --quiet "$remote" "$branch"
    if [ "$(git rev-parse FETCH_HEAD)" = "$parent" ]; then
      echo "::error file=$registry::the push to $branch was refused although $branch did not move (branch protection, or the token may not write?); the new plaque ids are not registered: ${ids[*]:-}"
      exit 1
    fi
    if [ "$attempt" -ge "$attempts" ]; then
      echo "::error file=$registry::$branch kept moving: gave up after $attempts attempts; the next build of $branch registers the new plaque ids (${ids[*]:-})"
      exit 1
    fi
    parent=$(git rev-parse FETCH_HEAD)
    echo "$branch moved; registering again on top of $(git rev-parse --short "$parent")"
    if ! git cat-file -e "$parent:$registry" 2>/dev/null; then
      echo "::error file=$registry::$branch no longer has $registry, so the new plaque ids cannot be added to it: ${ids[*]:-}; put it back (no line of it may be deleted)"
      exit 1
    fi
    content="$work/rebased"
    if ! append_missing "$parent" "$work/added" "$content"; then
      echo "$branch already has every line: nothing left to register."
      return 0
    fi
  done
}

case "${1:-}" in
  check-pull-request) shift; check_pull_request "$@" ;;
  register-on-main) shift; register_on_main "$@" ;;
  *) usage ;;
esac

/**
 * Where the widgets find the course id: the catalog MFE's about page path
 * (/courses/<id>/about) and the props of its course cards, which changed shape
 * between releases.
 */

const ABOUT_PATH = /\/courses\/([^/]+)\/about\/?$/;

/** Course id of the about page the browser shows, or null. */
export function courseIdFromLocation(location = window.location) {
  const match = ABOUT_PATH.exec(location.pathname);
  if (!match) { return null; }
  try {
    return decodeURIComponent(match[1]);
  } catch (e) {
    return match[1];
  }
}

const isCourseKey = (value) => typeof value === 'string' && value.startsWith('course-v1:');

/**
 * Course id from a card's props, whatever the release:
 * - data table card (Verawood): {courseId, courseOrg, courseName, ...}
 * - home card: {original: {id, data: {...}}} or {course: {id, data}}
 * - a theme's card inserted in the slot: the same plugin props.
 */
export function courseIdFromCardProps(props) {
  if (!props) { return null; }
  const candidates = [
    props.courseId,
    props.original?.id,
    props.original?.data?.id,
    props.course?.id,
    props.course?.data?.id,
    props.courseData?.id,
  ];
  const found = candidates.find(isCourseKey);
  if (found) { return found; }
  const anyString = candidates.find((value) => typeof value === 'string' && value);
  return anyString || null;
}

// The harness configures frontend-platform itself (main.jsx).
export default {};
